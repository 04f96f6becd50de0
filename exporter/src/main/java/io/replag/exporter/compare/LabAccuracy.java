package io.replag.exporter.compare;

import io.replag.agent.config.ProbeTiming;
import io.replag.agent.engine.Arrival;
import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.cli.Demo;
import io.replag.exporter.config.ReplagConfig;
import io.replag.lab.Lab;
import io.replag.lab.LabStore;
import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code replag accuracy}: injected delays on every lab link of every store that runs here, and
 * what replag measured for the canaries written under each: count, median and p99 latency, median
 * uncertainty, against the injected delay. The lab's own overhead (its apply or copy loop) is part
 * of the truth, so the injected delay is a lower bound of it. {@code scripts/accuracy} puts the
 * table in docs/performance.md.
 */
public final class LabAccuracy {
    /** Canaries written in this window after a change are the ones measured. */
    record Plan(List<Long> delaysMs, Duration window) {
        static final Plan FULL = new Plan(List.of(0L, 100L, 1_000L, 10_000L, 60_000L), Duration.ofSeconds(20));
        static final Plan SHORT = new Plan(List.of(0L, 1_000L), Duration.ofSeconds(5));
    }

    private record Seen(String store, Arrival arrival) {
    }

    private LabAccuracy() {
    }

    /** {@code replag accuracy [--short]}: progress on stderr, the table on stdout. */
    public static int main(Collection<String> args, PrintStream out, PrintStream err) {
        for (String a : args) {
            if (!a.equals("--short")) {
                err.println("replag accuracy: unknown option \"" + a + "\" (only --short)");
                return 2;
            }
        }
        try {
            out.print(run(args.contains("--short") ? Plan.SHORT : Plan.FULL, err));
            return 0;
        } catch (Exception e) {
            err.println("replag accuracy failed: " + e);
            return 1;
        }
    }

    static String run(Plan plan, PrintStream log) throws Exception {
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        try (Lab lab = Demo.startLab(log)) {
            // a 60 s delay must not count as missed: the deadline is twice the longest delay
            ProbeTiming timing = ProbeTiming.builder().deadline(Duration.ofMillis(Math.max(60_000, 2 * plan.delaysMs.get(plan.delaysMs.size() - 1))))
                    .build();
            ReplagConfig config = Demo.config(lab, "127.0.0.1", 0, timing);
            ReplagRuntime runtime = new ReplagRuntime(config, lab, (set, pair, a) -> seen.add(new Seen(set.store(), a)));
            runtime.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            try {
                StringBuilder table = new StringBuilder();
                table.append(String.format(Locale.ROOT, "Canaries written during %d s after each change, every link of each store delayed alike; 1 canary/s per source%n%n",
                        plan.window.toSeconds()));
                table.append("| store | injected | canaries | median | p99 | median uncertainty | median - injected |\n");
                table.append("|---|---|---|---|---|---|---|\n");
                for (long delay : plan.delaysMs) {
                    log.println("accuracy: every link delayed " + delay + " ms");
                    List<String> measured = new ArrayList<>();
                    for (LabStore store : lab.stores()) {
                        if (apply(store, delay)) {
                            measured.add(store.store());
                        } else {
                            table.append(String.format(Locale.ROOT, "| %s | %s | n/a: %s | | | | |%n", store.store(), seconds(delay),
                                    "MASTER_DELAY counts whole seconds"));
                        }
                    }
                    long from = micros(Instant.now()) + 2_000_000; // changes take effect within a poll round
                    long to = from + plan.window.toNanos() / 1_000;
                    // every canary of the window has arrived once its write plus the delay (and a margin) has passed
                    LockSupport.parkNanos(Duration.ofMillis(2_000 + plan.window.toMillis() + delay + 3_000).toNanos());
                    for (String store : measured) {
                        List<Arrival> arrivals = seen.stream().filter(s -> s.store.equals(store)).map(Seen::arrival)
                                .filter(a -> written(a) >= from && written(a) < to).toList();
                        table.append(row(store, delay, arrivals));
                    }
                }
                return table.toString();
            } finally {
                runtime.stop().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Sets the delay on every link of the store; false if the store's lab cannot take it. */
    private static boolean apply(LabStore store, long delayMs) throws Exception {
        if (store.store().equals("mysql") && delayMs % 1000 != 0) {
            return false;
        }
        for (LinkState link : store.links()) {
            store.change(link.source(), link.target(), new LinkChange(Optional.of(delayMs), Optional.of(false)));
        }
        return true;
    }

    private static long written(Arrival a) {
        return a.seenAtMicros() - a.latencyMicros();
    }

    private static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    static String row(String store, long delayMs, List<Arrival> arrivals) {
        if (arrivals.isEmpty()) {
            return String.format(Locale.ROOT, "| %s | %s | 0 | | | | |%n", store, seconds(delayMs));
        }
        double[] latency = arrivals.stream().mapToDouble(a -> a.latencyMicros() / 1e6).sorted().toArray();
        double[] uncertainty = arrivals.stream().mapToDouble(a -> a.uncertaintyMicros() / 1e6).sorted().toArray();
        double median = latency[latency.length / 2];
        double p99 = latency[(int) Math.min(latency.length - 1, Math.ceil(latency.length * 0.99) - 1)];
        return String.format(Locale.ROOT, "| %s | %s | %d | %.3f s | %.3f s | %.3f s | %+.3f s |%n", store, seconds(delayMs),
                latency.length, median, p99, uncertainty[uncertainty.length / 2], median - delayMs / 1000.0);
    }
}
