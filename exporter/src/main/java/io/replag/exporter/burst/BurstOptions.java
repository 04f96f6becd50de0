package io.replag.exporter.burst;

import io.replag.exporter.Main.UsageException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Deque;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of {@code replag burst} (docs/burst.md).
 *
 * @param deadline empty: the set's deadline
 * @param port     serve /metrics (the replag_burst_* figures) on 127.0.0.1 or the config's host while it runs
 * @param linger   after the report, keep serving /metrics this long, so that Prometheus scrapes the result
 * @param yes      start against real (non-loopback) endpoints after printing the cost estimate
 */
public record BurstOptions(Optional<Path> config, String set, String source, long records, double rate, Duration readAfter,
                           Duration poll, Optional<Duration> deadline, Optional<Integer> port, Duration linger, boolean yes) {
    public static final Duration DEFAULT_POLL = Duration.ofMillis(100);
    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m)");

    public static final String USAGE = """
              burst --config FILE --set NAME --source REGION --records N --rate R --read-after D
                    [--poll D|0] [--deadline D] [--port N [--linger D]] [--yes]
                                            write N records at R/s into SET in REGION, read each in every
                                            target at read-after, then until the deadline; print and export
                                            (replag_burst_*) the share visible at read-after, the lost, the
                                            latency; then delete them (docs/burst.md). Needs burst:
                                            {allowed: true} on the set; --yes to start against real endpoints
            """;

    /** Parses the flags after {@code burst}; {@code --config} may be absent where the caller brings the config (the lab). */
    public static BurstOptions parse(Deque<String> args) {
        Path config = null;
        String set = null;
        String source = null;
        Long records = null;
        Double rate = null;
        Duration readAfter = null;
        Duration poll = DEFAULT_POLL;
        Duration deadline = null;
        Integer port = null;
        Duration linger = null;
        boolean yes = false;
        while (!args.isEmpty()) {
            String flag = args.pop();
            switch (flag) {
                case "--config" -> config = Path.of(io.replag.exporter.Main.value(args, flag));
                case "--set" -> set = io.replag.exporter.Main.value(args, flag);
                case "--source" -> source = io.replag.exporter.Main.value(args, flag);
                case "--records" -> records = number(flag, io.replag.exporter.Main.value(args, flag));
                case "--rate" -> rate = decimal(flag, io.replag.exporter.Main.value(args, flag));
                case "--read-after" -> readAfter = duration(flag, io.replag.exporter.Main.value(args, flag));
                case "--poll" -> poll = duration(flag, io.replag.exporter.Main.value(args, flag));
                case "--deadline" -> deadline = duration(flag, io.replag.exporter.Main.value(args, flag));
                case "--port" -> port = io.replag.exporter.Main.port(args);
                case "--linger" -> linger = duration(flag, io.replag.exporter.Main.value(args, flag));
                case "--yes" -> yes = true;
                default -> throw new UsageException("burst: unknown option \"" + flag + "\"");
            }
        }
        for (var required : new Object[][]{{"--set", set}, {"--source", source}, {"--records", records}, {"--rate", rate}, {"--read-after", readAfter}}) {
            if (required[1] == null) {
                throw new UsageException("burst needs " + required[0]);
            }
        }
        if (linger != null && port == null) {
            throw new UsageException("burst: --linger serves /metrics after the run, so it needs --port");
        }
        return new BurstOptions(Optional.ofNullable(config), set, source, records, rate, readAfter, poll, Optional.ofNullable(deadline),
                Optional.ofNullable(port), linger == null ? (port == null ? Duration.ZERO : Duration.ofMinutes(1)) : linger, yes);
    }

    private static long number(String flag, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": must be a whole number, found \"" + v + "\"");
        }
    }

    private static double decimal(String flag, String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": must be a number, found \"" + v + "\"");
        }
    }

    /** {@code 500ms}, {@code 2s}, {@code 1m}; {@code 0} for none. A mistake names {@code flag} and the value. */
    public static Duration duration(String flag, String v) {
        if (v.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw new UsageException(flag + ": must be a duration such as 500ms, 2s or 1m, found \"" + v + "\"");
        }
        double amount = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2)) {
            case "ms" -> amount;
            case "s" -> amount * 1000;
            default -> amount * 60_000;
        };
        return Duration.ofNanos((long) (millis * 1_000_000));
    }
}
