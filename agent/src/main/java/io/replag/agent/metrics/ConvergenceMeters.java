package io.replag.agent.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The convergence probe's meters of one set with a writer in every region (docs/metrics.md). */
public final class ConvergenceMeters {
    /** How a round ended: every region agreed; the deadline passed first; no write took (nothing to converge). */
    public enum Result { CONVERGED, DIVERGENT, SKIPPED }

    private final Timer seconds;
    private final Map<String, double[]> winner = new LinkedHashMap<>();
    private final Map<String, Counter> flipFlops = new LinkedHashMap<>();
    private final Map<Result, Counter> rounds = new LinkedHashMap<>();
    private volatile double divergent = Double.NaN;
    private volatile double lastRoundSeconds = Double.NaN;
    private volatile double lastConvergenceSeconds = Double.NaN;
    private volatile String lastWinner = "";
    private volatile String lastDisagreement = "";

    ConvergenceMeters(MeterRegistry registry, Tags tags, List<String> regions) {
        seconds = Timer.builder("replag.convergence")
                .description("Time from the later of two conflicting writes to every region showing one value")
                .tags(tags).serviceLevelObjectives(ReplagMetrics.LATENCY_BUCKETS.toArray(Duration[]::new))
                .publishPercentileHistogram(false).register(registry);
        Gauge.builder("replag.divergent", this, m -> m.divergent)
                .description("1 while the regions disagree after the convergence deadline (a round of any two regions), 0 once they agree")
                .tags(tags).register(registry);
        Gauge.builder("replag.convergence.last.round.timestamp.seconds", this, m -> m.lastRoundSeconds)
                .description("Unix time at which the last convergence round ended")
                .tags(tags).register(registry);
        for (String region : regions) {
            double[] holder = {Double.NaN};
            winner.put(region, holder);
            Gauge.builder("replag.convergence.winner", holder, h -> h[0])
                    .description("1 for the region whose write every region showed at the end of the last converged round")
                    .tags(tags.and("region", region)).register(registry);
            flipFlops.put(region, Counter.builder("replag.convergence.flipflops")
                    .description("Rounds in which a region's value changed more than once (last writer wins changes it at most once)")
                    .tags(tags.and("region", region)).register(registry));
        }
        for (Result r : Result.values()) {
            rounds.put(r, Counter.builder("replag.convergence.rounds").description("Convergence rounds by result")
                    .tags(tags.and("result", r.name().toLowerCase())).register(registry));
        }
    }

    public void converged(long micros, String winningRegion, long nowMicros) {
        seconds.record(micros, TimeUnit.MICROSECONDS);
        lastConvergenceSeconds = micros / 1e6;
        lastWinner = winningRegion;
        lastDisagreement = "";
        winner.forEach((region, h) -> h[0] = region.equals(winningRegion) ? 1 : 0);
        ended(Result.CONVERGED, nowMicros);
    }

    /** A round ended without a convergence to time. */
    public void ended(Result result, long nowMicros) {
        rounds.get(result).increment();
        lastRoundSeconds = nowMicros / 1e6;
    }

    /** True while the latest round of any ordered pair of regions diverged. */
    public void divergent(boolean any) {
        divergent = any ? 1 : 0;
    }

    /** What each region showed when a round ended divergent, for the status page. */
    public void disagreement(String shown) {
        lastDisagreement = shown;
    }

    /** The probe's state for the status page: divergent (1, 0, NaN before a judged round), the last converged round, the last disagreement. */
    public record View(double divergent, double lastRoundUnixSeconds, double lastConvergenceSeconds, String lastWinner, String lastDisagreement) {
    }

    public View view() {
        return new View(divergent, lastRoundSeconds, lastConvergenceSeconds, lastWinner, lastDisagreement);
    }

    public void flipFlop(String region) {
        Counter c = flipFlops.get(region);
        if (c != null) {
            c.increment();
        }
    }
}
