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
        SCHEDULES.put("default 15ms x1.35 max 1s", PollSchedule.DEFAULT);
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
