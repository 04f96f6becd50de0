package io.replag.tools.compare;

import io.replag.agent.config.ProbeTiming;
import io.replag.agent.engine.Arrival;
import io.replag.exporter.ReplagRuntime;
import io.replag.tools.demo.Demo;
import io.replag.exporter.config.ReplagConfig;
import io.replag.lab.Lab;
import io.replag.lab.LabStore;
import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;
import io.replag.lab.distance.Geography;
import io.replag.lab.truth.TruthObserver;
import io.replag.exporter.web.WebConfig;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code replag accuracy}: does every interval replag reports hold the truth, at any distance?
 * The lab runs every store that can run here; replag probes it from where the geography puts it;
 * every link gets each injected delay in turn; and the lab's own observer ({@link TruthObserver})
 * records when each canary really committed in its source and became visible in each target,
 * reading the servers directly, without distance. Per geography, store and delay, the table shows
 * the share of canaries whose true replication time lies inside replag's interval, the interval's
 * width, and the error of replag's point estimate against the truth. {@code scripts/accuracy} puts
 * it in docs/performance.md.
 */
public final class LabAccuracy {
    /** Canaries written in this window after a change are the ones measured. */
    record Plan(List<String> geographies, List<Long> delaysMs, Duration window) {
        static final List<Long> DELAYS = List.of(250L, 1_000L, 3_700L);
        static final Plan FULL = new Plan(List.of("none", "demo", "remote:300"), DELAYS, Duration.ofSeconds(20));
        static final Plan SHORT = new Plan(List.of("demo"), List.of(1_000L), Duration.ofSeconds(6));
    }

    private record Seen(String agents, String store, String source, String target, Arrival arrival) {
    }

    /** The two ways replag runs, side by side on the same lab in the same windows; the names are the canaries' agent ids. */
    static final String SINGLE = "replag-demo", PER_REGION = "replag-agents";

    /** One row of the table, kept for the summary. */
    record Row(String geography, String agents, String store, long delayMs, int canaries, int observed, int inside,
               double uncertaintyP50, double uncertaintyP90, double errorP50, double truthWidthP50, String method) {
    }

    private LabAccuracy() {
    }

    /** {@code replag accuracy [--short] [--geography G[,G...]]}: progress on stderr, the table on stdout. */
    public static int main(Collection<String> args, PrintStream out, PrintStream err) {
        Plan plan = Plan.FULL;
        List<String> list = new ArrayList<>(args);
        List<String> geographies = null;
        List<Long> delays = null;
        for (int i = 0; i < list.size(); i++) {
            String a = list.get(i);
            if (a.equals("--short")) {
                plan = Plan.SHORT;
            } else if (a.equals("--delays") && i + 1 < list.size()) {
                try {
                    delays = Arrays.stream(list.get(++i).split(",")).map(Long::parseLong).toList();
                } catch (NumberFormatException e) {
                    err.println("replag accuracy: --delays: milliseconds separated by commas, found \"" + list.get(i) + "\"");
                    return 2;
                }
            } else if (a.equals("--geography") && i + 1 < list.size()) {
                geographies = Arrays.asList(list.get(++i).split(","));
                for (String g : geographies) {
                    try {
                        Geography.parse(g, Demo.REGIONS, Demo.PRIMARY);
                    } catch (IllegalArgumentException e) {
                        err.println("replag accuracy: " + e.getMessage());
                        return 2;
                    }
                }
            } else {
                err.println("replag accuracy: unknown option \"" + a + "\" (--short, --geography none|demo|remote:MS[,...], --delays MS[,...])");
                return 2;
            }
        }
        plan = new Plan(geographies != null ? geographies : plan.geographies(), delays != null ? delays : plan.delaysMs(), plan.window());
        try {
            out.print(run(plan, err));
            return 0;
        } catch (Exception e) {
            err.println("replag accuracy failed: " + e);
            return 1;
        }
    }

    static String run(Plan plan, PrintStream log) throws Exception {
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        // one lab with delay proxies everywhere; each geography reshapes it live
        Geography geography = Geography.demo(Demo.REGIONS, Demo.PRIMARY);
        try (Lab lab = Demo.startLab(log, geography)) {
            ProbeTiming timing = ProbeTiming.builder().deadline(Duration.ofSeconds(60)).build();
            ReplagConfig config = Demo.config(lab, "127.0.0.1", 0, timing);
            Map<LabStore, List<String>> observed = new LinkedHashMap<>();
            lab.stores().forEach(s -> observed.put(s, new ArrayList<>(s.ports().keySet())));
            try (TruthObserver truth = new TruthObserver(observed, 2_000)) {
                ReplagRuntime runtime = new ReplagRuntime(config, (io.replag.exporter.http.HttpExtension) null,
                        (set, pair, a) -> seen.add(new Seen(SINGLE, set.store(), pair.source(), pair.target(), a)));
                // an agent per region beside it, each at home in its region, its canaries under their own name
                ReplagRuntime agents = new ReplagRuntime(config, Demo.perRegionAgents(lab, "127.0.0.1", 0, timing, PER_REGION), null,
                        (set, pair, a) -> seen.add(new Seen(PER_REGION, set.store(), pair.source(), pair.target(), a)), WebConfig.NONE);
                runtime.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
                agents.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
                try {
                    List<Row> rows = new ArrayList<>();
                    for (String g : plan.geographies) {
                        geography.preset(g, Demo.PRIMARY);
                        log.println("accuracy: geography " + g + ", round trips " + geography.matrix());
                        // replag's distance estimates (the fastest of each endpoint's last 8 calls) catch up within 8 writes
                        LockSupport.parkNanos(Duration.ofSeconds(10).toNanos());
                        for (long delay : plan.delaysMs) {
                            log.println("accuracy: every link delayed " + delay + " ms");
                            for (LabStore store : lab.stores()) {
                                for (LinkState link : store.links()) {
                                    store.change(link.source(), link.target(), withoutJitter(store, delay));
                                }
                            }
                            // settle: the new distance and delay reach every connection and every queued copy
                            long from = micros(Instant.now()) + 2_000_000 + 2 * delay * 1_000;
                            long to = from + plan.window.toNanos() / 1_000;
                            LockSupport.parkNanos(Duration.ofMillis((to - micros(Instant.now())) / 1_000 + delay + 3_000).toNanos());
                            for (String who : List.of(SINGLE, PER_REGION)) {
                                for (LabStore store : lab.stores()) {
                                    List<Seen> window = seen.stream().filter(s -> s.agents.equals(who) && s.store.equals(store.store()))
                                            .filter(s -> s.arrival.writtenAtMicros() >= from && s.arrival.writtenAtMicros() < to).toList();
                                    rows.add(row(g, who, store.store(), delay, window, truth, who, log));
                                }
                            }
                        }
                    }
                    return table(plan, rows);
                } finally {
                    agents.stop().get(30, TimeUnit.SECONDS);
                    runtime.stop().get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Every lab link takes jitter 0 (the SQL labs refuse only a non-zero one). */
    private static LinkChange withoutJitter(LabStore store, long delayMs) {
        return new LinkChange(Optional.of(delayMs), Optional.of(false), Optional.empty(), Optional.of(0L));
    }

    static Row row(String geography, String agents, String store, long delayMs, List<Seen> arrivals, TruthObserver truth, String agent,
                   PrintStream log) {
        List<Double> uncertainty = new ArrayList<>();
        List<Double> error = new ArrayList<>();
        List<Double> width = new ArrayList<>();
        int observed = 0;
        int inside = 0;
        Map<String, Integer> methods = new LinkedHashMap<>();
        for (Seen s : arrivals) {
            Arrival a = s.arrival;
            uncertainty.add(a.uncertaintyMicros() / 1e3);
            methods.merge(a.method().label(), 1, Integer::sum);
            Optional<TruthObserver.Truth> t = truth.truth(store, agent, s.source, s.target, a.seq());
            if (t.isEmpty()) {
                continue;
            }
            observed++;
            long middle = t.get().middleMicros();
            // the truth is known to within the observer's resolution: it contradicts replag only where the two intervals are apart
            if (t.get().upperMicros() >= a.lowerMicros() && t.get().lowerMicros() <= a.upperMicros()) {
                inside++;
            } else {
                log.printf(Locale.ROOT, "accuracy: %s %s %s %s->%s seq %d: truth %.1f ms [%.1f, %.1f] outside replag's [%.1f, %.1f] (%s)%n",
                        geography, agents, store, s.source, s.target, a.seq(), middle / 1e3, t.get().lowerMicros() / 1e3, t.get().upperMicros() / 1e3,
                        a.lowerMicros() / 1e3, a.upperMicros() / 1e3, a.method().label());
            }
            error.add((a.latencyMicros() - middle) / 1e3);
            if (System.getenv("REPLAG_ACCURACY_TRACE") != null) {
                log.printf(Locale.ROOT, "trace %s %s %s %s->%s seq %d: replag [%.1f, %.1f] truth [%.1f, %.1f]%n", geography, agents, store, s.source,
                        s.target, a.seq(), a.lowerMicros() / 1e3, a.upperMicros() / 1e3, t.get().lowerMicros() / 1e3, t.get().upperMicros() / 1e3);
            }
            width.add(t.get().widthMicros() / 1e3);
        }
        String method = methods.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("");
        return new Row(geography, agents.equals(SINGLE) ? "single" : "per-region", store, delayMs, arrivals.size(), observed, inside, percentile(uncertainty, 0.5),
                percentile(uncertainty, 0.9), percentile(error, 0.5), percentile(width, 0.5), method);
    }

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))];
    }

    static String table(Plan plan, List<Row> rows) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "Canaries written during %d s after each change (1 per second per source), every link of every "
                + "store delayed alike, without jitter. Geographies: `none` (everything 0 ms apart), `demo` (published round trips, "
                + "replag in us-east-1), `remote:300` (the regions next to each other, replag 300 ms round trip from each). Agents: "
                + "`single` (one process where the geography puts replag) and, beside it in the same windows, `per-region` (an agent "
                + "at home in each region, writing its region's canaries and reading only there; the lab's agents share one clock and "
                + "declare a 1 ms bound, which is in their intervals). Truth: the "
                + "lab's observer, reading every server directly every few ms; it is inside replag's interval unless the observer's "
                + "own interval and replag's are apart.%n%n", plan.window.toSeconds()));
        t.append("| geography | agents | store | injected | canaries | truth inside the interval | uncertainty p50 | p90 | point - truth p50 | observer resolution p50 | clocks |\n");
        t.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            String share = r.observed == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f %% (%d/%d)", 100.0 * r.inside / r.observed, r.inside, r.observed);
            t.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f s | %d | %s | %s | %s | %s | %s | %s |%n", r.geography, r.agents, r.store,
                    r.delayMs / 1000.0, r.canaries, share, ms(r.uncertaintyP50), ms(r.uncertaintyP90), signedMs(r.errorP50),
                    ms(r.truthWidthP50), r.method));
        }
        if (plan.geographies.contains("none")) {
            StringBuilder summary = new StringBuilder();
            for (Row far : rows) {
                if (!far.geography.startsWith("remote:") || !far.agents.equals("single")) {
                    continue;
                }
                rows.stream().filter(n -> n.geography.equals("none") && n.agents.equals("single") && n.store.equals(far.store)
                                && n.delayMs == far.delayMs).findFirst()
                        .ifPresent(near -> summary.append(String.format(Locale.ROOT, "| %s | %.2f s | %s | %s | %s | %s |%n", far.store,
                                far.delayMs / 1000.0, ms(near.uncertaintyP50), ms(far.uncertaintyP50),
                                signedMs(far.uncertaintyP50 - near.uncertaintyP50), far.method)));
            }
            if (!summary.isEmpty()) {
                t.append("\nWhat distance costs: median uncertainty with replag 0 ms and 300 ms round trip from every region\n\n");
                t.append("| store | injected | 0 ms | 300 ms | wider by | clocks |\n|---|---|---|---|---|---|\n").append(summary);
            }
        }
        StringBuilder side = new StringBuilder();
        for (Row single : rows) {
            if (!single.agents.equals("single") || single.geography.equals("none")) {
                continue;
            }
            rows.stream().filter(p -> p.agents.equals("per-region") && p.geography.equals(single.geography) && p.store.equals(single.store)
                    && p.delayMs == single.delayMs).findFirst().ifPresent(p -> side.append(String.format(Locale.ROOT,
                    "| %s | %s | %.2f s | %s | %s | %s | %s |%n", single.geography, single.store, single.delayMs / 1000.0,
                    ms(single.uncertaintyP50), ms(p.uncertaintyP50), share(single), share(p))));
        }
        if (!side.isEmpty()) {
            t.append("\nAn agent per region beside one process, in the same windows: median uncertainty, and the truth inside\n\n");
            t.append("| geography | store | injected | single process | per-region agents | inside (single) | inside (per-region) |\n");
            t.append("|---|---|---|---|---|---|---|\n").append(side);
        }
        return t.toString();
    }

    private static String share(Row r) {
        return r.observed == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f %%", 100.0 * r.inside / r.observed);
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.0f ms", v);
    }

    private static String signedMs(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%+.0f ms", v);
    }

    private static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }
}
