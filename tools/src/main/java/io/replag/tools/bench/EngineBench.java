package io.replag.tools.bench;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.replag.exporter.http.Gzip;
import io.replag.exporter.http.MetricsPage;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replag.agent.config.PollSchedule;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.engine.Engine;
import io.replag.agent.engine.SetProbe;
import io.replag.agent.memory.InMemoryCanaryStore;
import io.replag.agent.metrics.ReplagMetrics;
import io.replag.agent.time.VertxEventLoop;
import io.replag.agent.time.WallClock;
import io.vertx.core.Vertx;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code replag bench}: the engine on the in-memory store at 1 canary per second per source, with
 * simulated replication delays (20 to 200 ms per link) and call latencies (1 to 5 ms). Prints
 * figures, asserts nothing: CPU seconds per second, heap per pair, /metrics render time and size,
 * the write schedule delay over all writers (p50, p99 as bucket bounds, max), reads per canary and median
 * uncertainty, each also as a ratio to a one-pair baseline run in the same process.
 * {@code --growth M} instead runs the largest size for M minutes and prints a row per minute.
 */
public final class EngineBench {
    private record Result(int pairs, double cpuPerSecond, double heapPerPairBytes, double[] scrapeMs, int scrapeBytes,
                          double readsPerCanary, double medianUncertaintyMs, long series, String schedule,
                          double genericScrapeMs, int gzipBytes, double gzipMs, String poll) {
    }

    private EngineBench() {
    }

    public static int main(Deque<String> args, PrintStream out) {
        int seconds = 30;
        boolean quality = true;
        int growthMinutes = 0;
        List<Integer> sizes = List.of(100, 1_000, 10_000);
        while (!args.isEmpty()) {
            String a = args.pop();
            switch (a) {
                case "--short" -> {
                    seconds = 4;
                    sizes = List.of(100, 1_000);
                    quality = false;
                }
                case "--seconds" -> seconds = Integer.parseInt(args.pop());
                case "--pairs" -> sizes = Arrays.stream(args.pop().split(",")).map(String::trim).map(Integer::parseInt).toList();
                case "--growth" -> growthMinutes = Integer.parseInt(args.pop());
                case "--schedules" -> {
                    // only the poll schedules' quality against cost (virtual time: seconds to run)
                    PollQuality.print(out, 1_000, 300);
                    PollQuality.printRealistic(out, 200, 300);
                    ScheduleBound.print(out, 2_000, 20_000);
                    return 0;
                }
                default -> {
                    out.println("bench: unknown option \"" + a + "\"");
                    return 2;
                }
            }
        }
        var runtime = ManagementFactory.getRuntimeMXBean();
        out.printf("replag bench: %d cores, %s %s, max heap %d MB, flags %s%n", Runtime.getRuntime().availableProcessors(),
                runtime.getVmName(), runtime.getVmVersion(), Runtime.getRuntime().maxMemory() >> 20, runtime.getInputArguments());
        out.printf("each run: %d s at 1 canary/s per source, %d targets per source, delays 20-200 ms, call latency 1-5 ms%n",
                seconds, SimulatedRegions.TARGETS_PER_SET);
        if (growthMinutes > 0) {
            int pairs = sizes.get(sizes.size() - 1);
            out.printf("growth: %d pairs for %d min, one row per minute (live heap after a full GC)%n", pairs, growthMinutes);
            Growth.run(pairs, growthMinutes, out);
            return 0;
        }
        Result baseline = run(1, seconds, PollSchedule.DEFAULT, false);
        List<Result> results = new ArrayList<>();
        for (int pairs : sizes) {
            results.add(run(pairs, seconds, PollSchedule.DEFAULT, false));
        }
        // the largest size again as the engine was before issue 18, in the same run: the geometric schedule alone, and
        // every timer a Vert.x timer of its own
        int largest = sizes.get(sizes.size() - 1);
        results.add(run(largest, seconds, PollSchedule.GEOMETRIC, false));
        results.add(run(largest, seconds, PollSchedule.GEOMETRIC, true));
        out.printf("%8s %10s %8s %11s %9s %26s %10s %9s %24s %10s %10s  %s%n", "pairs", "cpu_s/s", "x base", "heap/pair", "x base",
                "scrape ms min/med/max", "scrape KB", "series", "sched ms p50/p99/max", "reads/can", "med unc ms", "poll");
        print(out, baseline, baseline);
        for (Result r : results) {
            print(out, r, baseline);
        }
        out.printf("%n/metrics page: replag's writer against the Prometheus client's generic writer (median of 3), and gzip level 1%n");
        out.printf("%14s %14s %14s %8s %12s %12s%n", "", "page ms (med)", "generic ms", "x", "gzip KB", "gzip ms");
        for (Result r : results) {
            out.printf("%8d pairs %14.1f %14.1f %8.1f %12.1f %12.1f  %s%n", r.pairs, r.scrapeMs[1], r.genericScrapeMs,
                    r.genericScrapeMs / Math.max(0.001, r.scrapeMs[1]), r.gzipBytes / 1024.0, r.gzipMs, r.poll);
        }
        // the short form compares schedules on a small topology so that CI runs this code too
        PollQuality.print(out, quality ? 1_000 : 100, quality ? 300 : 30);
        PollQuality.printRealistic(out, quality ? 200 : 20, quality ? 300 : 300);
        ScheduleBound.print(out, quality ? 2_000 : 200, quality ? 20_000 : 5_000);
        return 0;
    }

    private static void print(PrintStream out, Result r, Result base) {
        out.printf("%8d %10.4f %8.1f %9.0f B %9.2f %26s %10.1f %9d %24s %10.2f %10.1f  %s%n", r.pairs, r.cpuPerSecond,
                r.cpuPerSecond / base.cpuPerSecond, r.heapPerPairBytes, r.heapPerPairBytes / Math.max(1, base.heapPerPairBytes),
                String.format("%.1f/%.1f/%.1f", r.scrapeMs[0], r.scrapeMs[1], r.scrapeMs[2]), r.scrapeBytes / 1024.0,
                r.series, r.schedule,
                r.readsPerCanary, r.medianUncertaintyMs, r.poll);
    }

    private static Result run(int pairs, int seconds, PollSchedule poll, boolean loopTimers) {
        Vertx vertx = Vertx.vertx();
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            VertxEventLoop loop = loopTimers ? VertxEventLoop.withLoopTimers(vertx) : VertxEventLoop.create(vertx);
            InMemoryCanaryStore store = new InMemoryCanaryStore(loop, WallClock.system());
            List<ReplicationSet> sets = SimulatedRegions.build(store, pairs, ProbeTiming.DEFAULT.toBuilder().poll(poll).build());
            ReplagMetrics metrics = new ReplagMetrics(registry);
            long heapBefore = usedHeapAfterGc();
            List<SetProbe> probes = sets.stream().map(set -> new SetProbe(set, store, loop, WallClock.system(), metrics, "bench")).toList();
            Engine engine = new Engine(probes);
            loop.execute(engine::start);

            long warmupMs = Math.min(5_000, seconds * 1000L / 3);
            sleep(warmupMs);
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            sleep(seconds * 1000L - warmupMs);
            long cpu1 = os.getProcessCpuTime();
            long wall1 = System.nanoTime();

            // the engine's own figure, before the scrapes below load the machine
            String schedule = scheduleDelay(registry, new double[ReplagMetrics.SCHEDULE_DELAY_BUCKETS.size() + 1]);
            MetricsPage page = new MetricsPage(null, registry);
            double[] scrapes = new double[5];
            int size = 0;
            for (int i = 0; i < scrapes.length; i++) {
                long t0 = System.nanoTime();
                size = page.render().length();
                scrapes[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(scrapes);
            long heapAfter = usedHeapAfterGc();
            // after the heap figure: the generic writer and the compressed page only allocate
            // the baseline for the page: the Prometheus client's generic writer, in this process, on these meters
            double[] generic = new double[3];
            for (int i = 0; i < generic.length; i++) {
                long t0 = System.nanoTime();
                registry.scrape();
                generic[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(generic);
            String text = page.render();
            long gz0 = System.nanoTime();
            int gzipBytes = Gzip.of(text).length();
            double gzipMs = (System.nanoTime() - gz0) / 1e6;

            CompletableFuture<double[]> quality = new CompletableFuture<>();
            loop.execute(() -> {
                double arrived = registry.find("replag.canaries.arrived").counters().stream().mapToDouble(c -> c.count()).sum();
                double[] unc = registry.find("replag.measurement.uncertainty.seconds").gauges().stream()
                        .mapToDouble(Gauge::value).filter(v -> !Double.isNaN(v)).sorted().toArray();
                double median = unc.length == 0 ? Double.NaN : unc[unc.length / 2] * 1000;
                quality.complete(new double[]{store.reads() / Math.max(1, arrived), median});
            });
            double[] q = quality.get(10, TimeUnit.SECONDS);
            engine.stop();
            long series = registry.scrape().lines().filter(l -> !l.startsWith("#") && l.startsWith("replag_")).count();
            return new Result(pairs, (cpu1 - cpu0) / (double) (wall1 - wall0),
                    (heapAfter - heapBefore) / (double) pairs, new double[]{scrapes[0], scrapes[2], scrapes[4]}, size, q[0], q[1], series,
                    schedule, generic[1], gzipBytes, gzipMs, (poll.adaptive() ? "default" : "geometric") + (loopTimers ? ", a Vert.x timer each" : ""));
        } catch (Exception e) {
            throw new IllegalStateException("bench run with " + pairs + " pairs failed", e);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    /**
     * Percentiles of the write schedule delay over every writer, from the production histogram's
     * buckets: each figure is the bucket bound the percentile falls under ("<= 5 ms"), and max the
     * largest single delay (Micrometer's decaying maximum). {@code since} holds the cumulative
     * counts of an earlier call, for figures over an interval; it is updated.
     */
    static String scheduleDelay(PrometheusMeterRegistry registry, double[] since) {
        List<Double> bounds = io.replag.agent.metrics.ReplagMetrics.SCHEDULE_DELAY_BUCKETS.stream()
                .map(d -> d.toNanos() / 1e6).toList();
        double[] cumulative = new double[bounds.size() + 1];
        double max = 0;
        for (Timer t : registry.find("replag.write.schedule.delay").timers()) {
            HistogramSnapshot snap = t.takeSnapshot();
            CountAtBucket[] counts = snap.histogramCounts();
            for (int i = 0; i < counts.length && i < bounds.size(); i++) {
                cumulative[i] += counts[i].count();
            }
            cumulative[bounds.size()] += snap.count();
            max = Math.max(max, snap.max(TimeUnit.MILLISECONDS));
        }
        double[] interval = new double[cumulative.length];
        for (int i = 0; i < cumulative.length; i++) {
            interval[i] = cumulative[i] - since[i];
            since[i] = cumulative[i];
        }
        double total = interval[bounds.size()];
        return String.format(java.util.Locale.ROOT, "%s/%s/%.1f", bound(bounds, interval, total * 0.5),
                bound(bounds, interval, total * 0.99), max);
    }

    private static String bound(List<Double> bounds, double[] cumulative, double rank) {
        for (int i = 0; i < bounds.size(); i++) {
            if (cumulative[i] >= rank) {
                return "<=" + new java.math.BigDecimal(bounds.get(i)).stripTrailingZeros().toPlainString();
            }
        }
        return ">" + bounds.get(bounds.size() - 1).intValue();
    }

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    static void sleep(long ms) throws InterruptedException {
        // the benchmark measures over wall-clock windows; nothing waits on a condition here
        Thread.sleep(ms);
    }
}
