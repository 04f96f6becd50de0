package io.replag.tools.bench;

import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.memory.InMemoryCanaryStore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The benchmarks' topology: single-writer sets of up to 10 targets on the in-memory store, each
 * link with a replication delay drawn from 20 to 200 ms and every call answering after 1 to 5 ms.
 * Seeded, so that every run and every schedule sees the same links.
 */
final class SimulatedRegions {
    static final int TARGETS_PER_SET = 10;

    private SimulatedRegions() {
    }

    /** Configures {@code store}'s links and latencies and returns the sets covering {@code pairs} pairs. */
    static List<ReplicationSet> build(InMemoryCanaryStore store, int pairs, ProbeTiming timing) {
        return build(store, pairs, timing, null, null);
    }

    /** As {@link #build(InMemoryCanaryStore, int, ProbeTiming)}, each link's delay drawn per canary from {@code model}. */
    static List<ReplicationSet> build(InMemoryCanaryStore store, int pairs, ProbeTiming timing, DelayModels.Model model,
                                      io.replag.agent.time.WallClock clock) {
        SplittableRandom delays = new SplittableRandom(42);
        SplittableRandom calls = new SplittableRandom(7);
        List<ReplicationSet> sets = new ArrayList<>();
        int remaining = pairs;
        for (int s = 0; remaining > 0; s++) {
            int targets = Math.min(TARGETS_PER_SET, remaining);
            remaining -= targets;
            String source = "s" + s + "-src";
            Map<String, Endpoint> endpoints = new LinkedHashMap<>();
            endpoints.put(source, new Endpoint("memory", 1));
            List<String> replicas = new ArrayList<>();
            for (int t = 0; t < targets; t++) {
                String target = "s" + s + "-t" + t;
                replicas.add(target);
                endpoints.put(target, new Endpoint("memory", 1));
                if (model == null) {
                    store.delay(source, target, delays.nextLong(20_000, 200_000));
                } else {
                    store.delayModel(source, target, model.links().link(delays.split(), clock), model.max().toNanos() / 1_000);
                }
            }
            for (String region : endpoints.keySet()) {
                store.callLatency(region, () -> calls.nextLong(1_000, 5_000));
            }
            sets.add(new ReplicationSet("set" + s, "memory", endpoints, ReplicationSet.singleWriter(source, replicas), timing, null));
        }
        return sets;
    }
}
