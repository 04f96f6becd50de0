package io.replag.agent.engine;

import io.replag.agent.config.ReplicationSet;
import io.replag.agent.engine.SetProbe.PairView;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What region health and the status page read of one replication set. A {@link SetProbe} is one;
 * where an agent per region probes the same set (the per-region demo), {@link #merge} joins the
 * agents' probes into one view: each pair is measured by one agent, each endpoint called by one.
 */
public interface SetView {
    ReplicationSet set();

    List<PairView> pairViews();

    /** 1 if the last canary call to the region's endpoint worked, 0 if it failed, NaN if none was made here. */
    double endpointUp(String region);

    String endpointLastError(String region);

    /** Seconds since the region's writer last had a canary acknowledged; NaN where none writes here. */
    double writerSilentSeconds(String region);

    double writerStaleAfterSeconds();

    /** Unix time of the region writer's last acknowledged canary; NaN if none. */
    double lastWrittenSeconds(String region);

    String replicationStatus(String region);

    /** The convergence probe's state, where the set runs one here. */
    default java.util.Optional<io.replag.agent.metrics.ConvergenceMeters.View> convergence() {
        return java.util.Optional.empty();
    }

    /**
     * The views of each set, by set name in first-seen order, as one view per set. Where two views
     * measure the same pair (they should not), the first wins.
     */
    static List<SetView> merge(List<? extends SetView> views) {
        Map<String, List<SetView>> bySet = new LinkedHashMap<>();
        views.forEach(p -> bySet.computeIfAbsent(p.set().store() + "/" + p.set().name(), k -> new ArrayList<>()).add(p));
        List<SetView> out = new ArrayList<>();
        bySet.values().forEach(list -> out.add(list.size() == 1 ? list.get(0) : new Merged(list)));
        return out;
    }

    /** Several agents' views of one set. */
    final class Merged implements SetView {
        private final List<SetView> probes;
        private final List<PairView> pairs = new ArrayList<>();

        Merged(List<SetView> probes) {
            this.probes = List.copyOf(probes);
            java.util.Set<String> seen = new java.util.HashSet<>();
            probes.forEach(p -> p.pairViews().forEach(v -> {
                if (seen.add(v.source() + "->" + v.target())) {
                    pairs.add(v);
                }
            }));
        }

        @Override
        public ReplicationSet set() {
            return probes.get(0).set();
        }

        @Override
        public List<PairView> pairViews() {
            return pairs;
        }

        private double first(ToDoubleFunction<SetView> f) {
            for (SetView p : probes) {
                double v = f.applyAsDouble(p);
                if (!Double.isNaN(v)) {
                    return v;
                }
            }
            return Double.NaN;
        }

        @Override
        public double endpointUp(String region) {
            return first(p -> p.endpointUp(region));
        }

        @Override
        public String endpointLastError(String region) {
            return probes.stream().map(p -> p.endpointLastError(region)).filter(e -> !e.isEmpty()).findFirst().orElse("");
        }

        @Override
        public double writerSilentSeconds(String region) {
            return first(p -> p.writerSilentSeconds(region));
        }

        @Override
        public double writerStaleAfterSeconds() {
            return probes.get(0).writerStaleAfterSeconds();
        }

        @Override
        public double lastWrittenSeconds(String region) {
            return first(p -> p.lastWrittenSeconds(region));
        }

        @Override
        public String replicationStatus(String region) {
            return probes.stream().map(p -> p.replicationStatus(region)).filter(s -> !s.isEmpty()).findFirst().orElse("");
        }

        @Override
        public java.util.Optional<io.replag.agent.metrics.ConvergenceMeters.View> convergence() {
            return probes.stream().map(SetView::convergence).flatMap(java.util.Optional::stream).findFirst();
        }
    }
}
