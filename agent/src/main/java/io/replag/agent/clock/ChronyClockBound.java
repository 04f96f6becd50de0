package io.replag.agent.clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The clock error bound as AWS ClockBound derives it from chrony: {@code |offset| + root
 * dispersion + root delay / 2}, from {@code chronyc -c tracking}, growing by chrony's worst drift
 * (15 ppm, ClockBound's own allowance) for every second since the last reading. Falls back to the
 * configured bound while chrony cannot be read (not installed, not synchronised), and says so in
 * the log once per change.
 *
 * <p>{@link #refresh()} runs the command and blocks: call it on a worker thread, never on the
 * event loop; {@link #errorBoundMicros()} only reads the last result.
 */
public final class ChronyClockBound implements ClockBound {
    private static final Logger LOG = LoggerFactory.getLogger(ChronyClockBound.class);
    /** ClockBound's maximum drift between two readings: 15 parts per million. */
    static final double MAX_DRIFT = 15e-6;

    /** What one {@code chronyc -c tracking} line said, in µs. */
    record Tracking(long offsetMicros, long rootDelayMicros, long rootDispersionMicros, boolean synchronised) {
        long boundMicros() {
            return Math.abs(offsetMicros) + rootDispersionMicros + rootDelayMicros / 2;
        }
    }

    private final long fallbackMicros;
    private final List<String> command;
    private final LongSupplier nanoTime;
    private volatile long lastBoundMicros = -1;
    private volatile long lastReadNanos;
    private volatile String lastProblem = "";

    public ChronyClockBound(long fallbackMicros) {
        this(fallbackMicros, List.of("chronyc", "-c", "tracking"), System::nanoTime);
    }

    ChronyClockBound(long fallbackMicros, List<String> command, LongSupplier nanoTime) {
        this.fallbackMicros = fallbackMicros;
        this.command = List.copyOf(command);
        this.nanoTime = nanoTime;
    }

    @Override
    public long errorBoundMicros() {
        long bound = lastBoundMicros;
        if (bound < 0) {
            return fallbackMicros;
        }
        long elapsedMicros = (nanoTime.getAsLong() - lastReadNanos) / 1_000;
        return bound + (long) (elapsedMicros * MAX_DRIFT);
    }

    /** True while the bound comes from chrony, false while it is the configured fallback. */
    public boolean fromChrony() {
        return lastBoundMicros >= 0;
    }

    /** Reads chrony once (blocking, up to 2 s). */
    public void refresh() {
        Optional<Tracking> tracking;
        String problem;
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out;
            try (var in = p.getInputStream()) {
                out = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                tracking = Optional.empty();
                problem = "chronyc did not answer within 2 s";
            } else {
                tracking = p.exitValue() == 0 ? parse(out) : Optional.empty();
                problem = tracking.isEmpty() ? "chronyc -c tracking: " + out.strip().lines().findFirst().orElse("no output") : "";
            }
        } catch (IOException e) {
            tracking = Optional.empty();
            problem = "chronyc not found (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (tracking.isPresent() && tracking.get().synchronised()) {
            lastBoundMicros = tracking.get().boundMicros();
            lastReadNanos = nanoTime.getAsLong();
            problem = "";
        } else {
            lastBoundMicros = -1;
            if (problem.isEmpty()) {
                problem = "chrony is not synchronised";
            }
        }
        if (!problem.equals(lastProblem)) {
            if (problem.isEmpty()) {
                LOG.info("clock error bound from chrony: {} µs", lastBoundMicros);
            } else {
                LOG.warn("clock error bound: {}; using the configured clock.max_error ({} µs)", problem, fallbackMicros);
            }
            lastProblem = problem;
        }
    }

    /**
     * Parses {@code chronyc -c tracking}: reference id, name, stratum, reference time, system time
     * (offset, s), last offset, RMS offset, frequency, residual frequency, skew, root delay (s), root
     * dispersion (s), update interval, leap status.
     */
    static Optional<Tracking> parse(String csv) {
        String line = csv.strip().lines().findFirst().orElse("");
        String[] f = line.split(",");
        if (f.length < 14) {
            return Optional.empty();
        }
        try {
            long offset = micros(f[4]);
            long rootDelay = micros(f[10]);
            long rootDispersion = micros(f[11]);
            boolean synced = !f[13].strip().equalsIgnoreCase("Not synchronised") && !f[0].strip().equals("00000000");
            return Optional.of(new Tracking(offset, rootDelay, rootDispersion, synced));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static long micros(String seconds) {
        return Math.round(Double.parseDouble(seconds.strip()) * 1e6);
    }
}
