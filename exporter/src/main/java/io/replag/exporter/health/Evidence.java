package io.replag.exporter.health;

import io.replag.agent.config.ReplicationSet;
import io.replag.agent.engine.SetProbe.PairView;
import io.replag.agent.engine.SetView;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one agent knows of replication, as agents exchange it for region health from a quorum
 * ({@code GET /health/evidence}): per set, the endpoints it calls (up or not), its writers'
 * silence, and the lag of the pairs it measures. Facts, not verdicts: every agent attributes the
 * merged facts with the same rules ({@link RegionHealth}), so a dead region is blamed from its
 * peers' evidence even though its own agent is gone with it.
 */
public final class Evidence {
    private Evidence() {
    }

    /** This agent's facts, from its views of the sets. */
    public static JsonObject of(String agent, String region, List<? extends SetView> views) {
        JsonArray sets = new JsonArray();
        for (SetView v : views) {
            JsonObject endpoints = new JsonObject();
            JsonObject writers = new JsonObject();
            for (String r : v.set().endpoints().keySet()) {
                number(v.endpointUp(r)).ifPresent(up -> endpoints.put(r, up));
                number(v.writerSilentSeconds(r)).ifPresent(s -> writers.put(r, s));
            }
            JsonArray pairs = new JsonArray();
            for (PairView p : v.pairViews()) {
                pairs.add(new JsonObject().put("source", p.source()).put("target", p.target())
                        .put("lag", number(p.lagSeconds().getAsDouble()).orElse(null)));
            }
            sets.add(new JsonObject().put("store", v.set().store()).put("resource", v.set().name())
                    .put("staleAfter", v.writerStaleAfterSeconds()).put("endpoints", endpoints).put("writers", writers).put("pairs", pairs));
        }
        return new JsonObject().put("agent", agent).put("region", region).put("sets", sets);
    }

    private static Optional<Double> number(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? Optional.empty() : Optional.of(v);
    }

    /**
     * A peer's facts as views of this agent's sets (the same file deploys everywhere, so the set
     * names match); sets this agent does not know are left out.
     */
    public static List<SetView> views(JsonObject evidence, List<ReplicationSet> known) {
        List<SetView> out = new ArrayList<>();
        JsonArray sets = evidence.getJsonArray("sets", new JsonArray());
        for (int i = 0; i < sets.size(); i++) {
            JsonObject s = sets.getJsonObject(i);
            known.stream().filter(k -> k.store().equals(s.getString("store")) && k.name().equals(s.getString("resource")))
                    .findFirst().ifPresent(set -> out.add(new Remote(set, s)));
        }
        return out;
    }

    /** A peer's facts about one set, frozen as they came. */
    private static final class Remote implements SetView {
        private final ReplicationSet set;
        private final Map<String, Double> up = new HashMap<>();
        private final Map<String, Double> silent = new HashMap<>();
        private final double staleAfter;
        private final List<PairView> pairs = new ArrayList<>();

        Remote(ReplicationSet set, JsonObject json) {
            this.set = set;
            this.staleAfter = json.getDouble("staleAfter", 3.0);
            json.getJsonObject("endpoints", new JsonObject()).forEach(e -> up.put(e.getKey(), ((Number) e.getValue()).doubleValue()));
            json.getJsonObject("writers", new JsonObject()).forEach(e -> silent.put(e.getKey(), ((Number) e.getValue()).doubleValue()));
            JsonArray list = json.getJsonArray("pairs", new JsonArray());
            for (int i = 0; i < list.size(); i++) {
                JsonObject p = list.getJsonObject(i);
                Double lag = p.getDouble("lag");
                double value = lag == null ? Double.NaN : lag;
                pairs.add(new PairView(set.store(), set.name(), p.getString("source"), p.getString("target"), () -> value,
                        () -> Double.NaN, Map::of, Map::of, () -> Double.NaN));
            }
        }

        @Override
        public ReplicationSet set() {
            return set;
        }

        @Override
        public List<PairView> pairViews() {
            return pairs;
        }

        @Override
        public double endpointUp(String region) {
            return up.getOrDefault(region, Double.NaN);
        }

        @Override
        public String endpointLastError(String region) {
            return "";
        }

        @Override
        public double writerSilentSeconds(String region) {
            return silent.getOrDefault(region, Double.NaN);
        }

        @Override
        public double writerStaleAfterSeconds() {
            return staleAfter;
        }

        @Override
        public double lastWrittenSeconds(String region) {
            return Double.NaN;
        }

        @Override
        public String replicationStatus(String region) {
            return "";
        }
    }
}
