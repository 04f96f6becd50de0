package io.replag.exporter.http;

import io.replag.agent.engine.Engine;
import io.replag.agent.engine.SetProbe;
import io.replag.agent.engine.SetProbe.PairView;
import io.replag.exporter.health.RegionHealthConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the status page shows, as JSON: per set, its regions, every pair's lag now, uncertainty
 * and native figures ("stopped" where the store reports replication stopped), and every
 * endpoint's health, last error and the store's replication status of its newest canary (S3). Thresholds come from
 * {@code region_health.max_lag}: above it a cell is in alarm, above half of it a warning.
 */
final class StatusJson {
    private StatusJson() {
    }

    static JsonObject render(Engine engine, RegionHealthConfig health) {
        double alarm = health.maxLag().toMillis() / 1000.0;
        JsonArray sets = new JsonArray();
        for (SetProbe probe : engine.sets()) {
            JsonArray sources = new JsonArray();
            JsonArray targets = new JsonArray();
            List<String> sourceOrder = probe.set().pairs().stream().map(p -> p.source()).distinct().toList();
            sourceOrder.forEach(sources::add);
            // columns in the rows' order where a region is both, so the diagonal lines up
            Stream.concat(sourceOrder.stream(), probe.set().pairs().stream().map(p -> p.target())).distinct()
                    .filter(r -> probe.set().pairs().stream().anyMatch(p -> p.target().equals(r))).forEach(targets::add);
            JsonArray pairs = new JsonArray();
            for (PairView p : probe.pairViews()) {
                JsonObject natives = new JsonObject();
                p.nativeLagSeconds().get().forEach((metric, value) -> natives.put(metric, number(value)));
                // a store that says replication stopped: that, not a missing number
                p.nativeStopped().get().forEach((metric, stopped) -> {
                    if (stopped == 1) {
                        natives.put(metric, "stopped");
                    }
                });
                pairs.add(new JsonObject().put("source", p.source()).put("target", p.target())
                        .put("lag", number(p.lagSeconds().getAsDouble()))
                        .put("uncertainty", number(p.uncertaintySeconds().getAsDouble()))
                        .put("native", natives));
            }
            JsonArray endpoints = new JsonArray();
            probe.set().endpoints().keySet().stream().sorted().forEach(region -> endpoints.add(new JsonObject()
                    .put("region", region).put("up", number(probe.endpointUp(region)))
                    .put("lastError", probe.endpointLastError(region))
                    .put("replicationStatus", probe.replicationStatus(region))));
            sets.add(new JsonObject().put("store", probe.set().store()).put("resource", probe.set().name())
                    .put("sources", sources).put("targets", targets).put("pairs", pairs).put("endpoints", endpoints));
        }
        return new JsonObject().put("generatedAt", Instant.now().toString())
                .put("thresholds", new JsonObject().put("warning", alarm / 2).put("alarm", alarm))
                .put("sets", sets);
    }

    /** JSON has no NaN: no value is null. */
    private static Double number(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }
}
