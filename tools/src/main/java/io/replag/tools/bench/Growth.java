package io.replag.tools.bench;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
import java.util.List;

/**
 * {@code replag bench --growth M}: the engine at full size for M minutes, one row per minute, so
 * that growth shows: live heap after a full GC, threads, CPU, the write schedule delay of that
 * minute, and missed canaries (none expected), with /metrics rendered every 15 s as a Prometheus
 * would. Figures are printed, not asserted.
 */
final class Growth {
    private Growth() {
    }

    static void run(int pairs, int minutes, PrintStream out) {
        Vertx vertx = Vertx.vertx();
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
            VertxEventLoop loop = VertxEventLoop.create(vertx);
            InMemoryCanaryStore store = new InMemoryCanaryStore(loop, WallClock.system());
            List<ReplicationSet> sets = SimulatedRegions.build(store, pairs, ProbeTiming.DEFAULT);
            ReplagMetrics metrics = new ReplagMetrics(registry);
            List<SetProbe> probes = sets.stream().map(set -> new SetProbe(set, store, loop, WallClock.system(), metrics, "bench")).toList();
            Engine engine = new Engine(probes);
            loop.execute(engine::start);
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            var threads = ManagementFactory.getThreadMXBean();
            out.printf("%6s %10s %12s %8s %24s %12s %8s %12s%n", "min", "cpu_s/s", "live heap MB", "threads",
                    "sched ms p50/p99/max", "arrived", "missed", "med unc ms");
            long cpu = os.getProcessCpuTime();
            long wall = System.nanoTime();
            io.replag.exporter.http.MetricsPage page = new io.replag.exporter.http.MetricsPage(null, registry);
            double[] scheduleSince = new double[ReplagMetrics.SCHEDULE_DELAY_BUCKETS.size() + 1];
            for (int m = 1; m <= minutes; m++) {
                for (int scrape = 0; scrape < 4; scrape++) {
                    EngineBench.sleep(15_000);
                    page.render(); // as a Prometheus scraping every 15 s
                }
                long cpuNow = os.getProcessCpuTime();
                long wallNow = System.nanoTime();
                String sched = EngineBench.scheduleDelay(registry, scheduleSince);
                double arrived = registry.find("replag.canaries.arrived").counters().stream().mapToDouble(Counter::count).sum();
                double missed = registry.find("replag.canaries.missed").counters().stream().mapToDouble(Counter::count).sum();
                double[] unc = registry.find("replag.measurement.uncertainty.seconds").gauges().stream()
                        .mapToDouble(Gauge::value).filter(v -> !Double.isNaN(v)).sorted().toArray();
                long live = EngineBench.usedHeapAfterGc();
                out.printf("%6d %10.4f %12.1f %8d %24s %12.0f %8.0f %12.1f%n", m, (cpuNow - cpu) / (double) (wallNow - wall),
                        live / 1048576.0, threads.getThreadCount(), sched,
                        arrived, missed, unc.length == 0 ? Double.NaN : unc[unc.length / 2] * 1000);
                cpu = os.getProcessCpuTime();
                wall = System.nanoTime();
            }
            engine.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
