package io.replag.tools.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replag.agent.config.PollSchedule;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.engine.SetProbe;
import io.replag.agent.memory.InMemoryCanaryStore;
import io.replag.agent.metrics.ReplagMetrics;
import io.replag.agent.time.VirtualTime;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Measurement quality against cost for several poll schedules, on virtual time (deterministic,
 * seconds to run): 1 canary per second, replication delays drawn from 20 to 200 ms per link, call
 * latency 1 to 5 ms. Prints reads per canary (the cost: each read is a query, or DynamoDB RRUs)
 * and the uncertainty of arrivals (the quality).
 */
final class PollQuality {
    static final Map<String, PollSchedule> SCHEDULES = new LinkedHashMap<>();

    static {
        SCHEDULES.put("geometric 15ms x1.35 max 1s", PollSchedule.GEOMETRIC);
        SCHEDULES.put("default: adaptive, 50ms", PollSchedule.DEFAULT);
        SCHEDULES.put("earlier 10ms x1.5 max 1s", new PollSchedule(Duration.ofMillis(10), 1.5, Duration.ofSeconds(1)));
        SCHEDULES.put("dense 5ms x1.25 max 250ms", new PollSchedule(Duration.ofMillis(5), 1.25, Duration.ofMillis(250)));
        SCHEDULES.put("sparse 50ms x2 max 1s", new PollSchedule(Duration.ofMillis(50), 2, Duration.ofSeconds(1)));
        SCHEDULES.put("fixed 25ms", new PollSchedule(Duration.ofMillis(25), 1, Duration.ofMillis(25)));
    }

    private PollQuality() {
    }

    static void print(PrintStream out, int pairs, int seconds) {
        out.printf("%nmeasurement quality vs cost: %d pairs, %d s of virtual time, 1 canary/s, delays 20-200 ms%n", pairs, seconds);
        out.printf("%-28s %10s %14s %14s %14s%n", "poll schedule", "reads/can", "unc p50 ms", "unc p90 ms", "latency p50 ms");
        for (var entry : SCHEDULES.entrySet()) {
            double[] r = run(entry.getValue(), pairs, seconds);
            out.printf("%-28s %10.2f %14.1f %14.1f %14.1f%n", entry.getKey(), r[0], r[1], r[2], r[3]);
        }
    }

    /** The schedules compared on the realistic models: the geometric one alone (the default before issue 18) and the default. */
    static final Map<String, PollSchedule> REALISTIC = new LinkedHashMap<>();

    static {
        REALISTIC.put("geometric 15ms x1.35 max 1s", PollSchedule.GEOMETRIC);
        REALISTIC.put("default: adaptive, 50ms", PollSchedule.DEFAULT);
    }

    /** Every realistic delay model, each schedule on the same links in one run. */
    static void printRealistic(PrintStream out, int pairs, int seconds) {
        out.printf("%nmeasurement quality vs cost at realistic delays: %d pairs, %d s of virtual time per model, call latency 1-5 ms%n",
                pairs, seconds);
        out.printf("%-20s %-30s %10s %12s %12s %10s %8s %9s%n", "model", "poll schedule", "reads/can", "unc p50 ms",
                "unc p90 ms", "bias ms", "missed", "in intvl");
        for (DelayModels.Model model : DelayModels.ALL) {
            Map<String, PollSchedule> schedules = new LinkedHashMap<>(REALISTIC);
            if (model == DelayModels.S3_LIKE) {
                // what a 1 s precision would buy S3 (docs/performance.md, "Why not 4 reads for S3")
                schedules.put("adaptive, 1s", PollSchedule.DEFAULT.withPrecision(Duration.ofSeconds(1)));
            }
            for (var schedule : schedules.entrySet()) {
                Realistic r = runRealistic(model, schedule.getValue(), pairs, seconds);
                out.printf("%-20s %-30s %10.2f %12.1f %12.1f %10.1f %8d %8.1f%%%n", model.name(), schedule.getKey(), r.readsPerCanary,
                        r.uncertaintyP50Ms, r.uncertaintyP90Ms, r.biasMs, r.missed, 100.0 * r.inInterval);
            }
        }
        out.println("models:");
        for (DelayModels.Model model : DelayModels.ALL) {
            out.printf("  %-20s %s%n", model.name(), model.description());
        }
    }

    record Realistic(double readsPerCanary, double uncertaintyP50Ms, double uncertaintyP90Ms, double biasMs, long missed, double inInterval) {
    }

    /**
     * One model and schedule: {@code pairs} pairs for {@code seconds} of virtual time after a warm-up
     * of {@link #WARM_UP_CANARIES} canaries per pair, which is not counted (a pair runs for months; its
     * first canaries, polled before anything is learned, would weigh on a short run, most on S3's
     * 10 s interval). Reads and arrivals are those of canaries written after the warm-up.
     */
    static Realistic runRealistic(DelayModels.Model model, PollSchedule schedule, int pairs, int seconds) {
        VirtualTime time = new VirtualTime(1_700_000_000_000_000L);
        InMemoryCanaryStore store = new InMemoryCanaryStore(time, time);
        ProbeTiming timing = ProbeTiming.builder().poll(schedule).interval(model.interval()).jitter(0)
                .deadline(model.max().plus(model.interval())).build();
        Duration warmUp = model.interval().multipliedBy(WARM_UP_CANARIES);
        long countFrom = time.nowMicros() + warmUp.toNanos() / 1_000;
        List<Long> uncertainties = new ArrayList<>();
        long[] biasSum = {0};
        long[] inside = {0};
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReplagMetrics metrics = new ReplagMetrics(registry);
        for (ReplicationSet set : SimulatedRegions.build(store, pairs, timing, model, time)) {
            new SetProbe(set, store, time, time, metrics, "bench", (st, pair, a) -> {
                if (a.writtenAtMicros() < countFrom) {
                    return;
                }
                uncertainties.add(a.uncertaintyMicros());
                long truth = store.replicationMicros(new io.replag.agent.spi.CanaryKey("bench", pair.source()), a.seq(), pair.target());
                biasSum[0] += a.latencyMicros() - truth;
                if (truth >= a.lowerMicros() && truth <= a.upperMicros()) {
                    inside[0]++;
                }
            }).start();
        }
        time.advance(warmUp);
        long readsBefore = store.reads();
        double missedBefore = missed(registry);
        time.advance(Duration.ofSeconds(seconds));
        uncertainties.sort(Long::compare);
        int n = Math.max(1, uncertainties.size());
        long missed = (long) (missed(registry) - missedBefore);
        return new Realistic((store.reads() - readsBefore) / (double) n, uncertainties.get(n / 2) / 1000.0,
                uncertainties.get(n * 9 / 10) / 1000.0, biasSum[0] / 1000.0 / n, missed, inside[0] / (double) n);
    }

    /** Canaries per pair before the realistic runs count. */
    static final int WARM_UP_CANARIES = 20;

    private static double missed(SimpleMeterRegistry registry) {
        return registry.find("replag.canaries.missed").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** @return reads per canary, uncertainty p50 and p90 (ms), latency p50 (ms) */
    static double[] run(PollSchedule schedule, int pairs, int seconds) {
        VirtualTime time = new VirtualTime(1_700_000_000_000_000L);
        InMemoryCanaryStore store = new InMemoryCanaryStore(time, time);
        ProbeTiming timing = ProbeTiming.builder().poll(schedule).build();
        List<Long> uncertainties = new ArrayList<>();
        List<Long> latencies = new ArrayList<>();
        ReplagMetrics metrics = new ReplagMetrics(new SimpleMeterRegistry());
        for (ReplicationSet set : SimulatedRegions.build(store, pairs, timing)) {
            new SetProbe(set, store, time, time, metrics, "bench", (st, pair, a) -> {
                uncertainties.add(a.uncertaintyMicros());
                latencies.add(a.latencyMicros());
            }).start();
        }
        time.advance(Duration.ofSeconds(seconds));
        uncertainties.sort(Long::compare);
        latencies.sort(Long::compare);
        return new double[]{store.reads() / (double) Math.max(1, uncertainties.size()),
                uncertainties.get(uncertainties.size() / 2) / 1000.0, uncertainties.get(uncertainties.size() * 9 / 10) / 1000.0,
                latencies.get(latencies.size() / 2) / 1000.0};
    }
}
