package io.replag.exporter.http;

import io.replag.agent.engine.SetView;
import io.replag.agent.engine.SetProbe.PairView;
import io.replag.exporter.health.RegionHealth;
import io.replag.exporter.config.LagThresholds;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the status page shows, as JSON: first one row per region (region health's verdict, its
 * one-line reason, since when, and each store's endpoint there); then per set, its regions, every
 * pair's lag now, uncertainty and native figures ("stopped" where the store reports replication
 * stopped), whether its source is writing (a pair whose source is down or silent shows that, not
 * its frozen lag), and every endpoint's health, last error and the store's replication status of
 * its newest canary (S3). Each set carries its store's lag thresholds ({@code lag_thresholds}, by
 * default the store's own, as in the mixin): above warning a cell is a warning, above critical an alarm.
 */
final class StatusJson {
    private StatusJson() {
    }

    static JsonObject render(List<? extends SetView> views, RegionHealth regionHealth, LagThresholds thresholds) {
        JsonArray sets = new JsonArray();
        for (SetView probe : views) {
            double staleAfter = probe.writerStaleAfterSeconds();
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
                // a source that writes nothing makes its pairs' lag a frozen number: say so, never show it as fine
                double silent = probe.writerSilentSeconds(p.source());
                String sourceState = probe.endpointUp(p.source()) == 0 ? "down" : silent > staleAfter ? "silent" : "writing";
                pairs.add(new JsonObject().put("source", p.source()).put("target", p.target())
                        .put("lag", number(p.lagSeconds().getAsDouble()))
                        .put("uncertainty", number(p.uncertaintySeconds().getAsDouble()))
                        .put("native", natives)
                        .put("sourceState", sourceState)
                        .put("sourceLastWrite", time(probe.lastWrittenSeconds(p.source())))
                        .put("targetUp", number(probe.endpointUp(p.target()))));
            }
            JsonArray endpoints = new JsonArray();
            probe.set().endpoints().keySet().stream().sorted().forEach(region -> endpoints.add(new JsonObject()
                    .put("region", region).put("up", number(probe.endpointUp(region)))
                    .put("lastError", probe.endpointLastError(region))
                    .put("replicationStatus", probe.replicationStatus(region))));
            var threshold = thresholds.of(probe.set().store());
            JsonObject convergence = probe.convergence().map(c -> new JsonObject()
                    .put("divergent", number(c.divergent()))
                    .put("lastRound", Double.isNaN(c.lastRoundUnixSeconds()) ? null
                            : Instant.ofEpochMilli((long) (c.lastRoundUnixSeconds() * 1000)).toString())
                    .put("lastConvergence", number(c.lastConvergenceSeconds()))
                    .put("lastWinner", c.lastWinner())
                    .put("lastDisagreement", c.lastDisagreement())).orElse(null);
            sets.add(new JsonObject().put("store", probe.set().store()).put("resource", probe.set().name())
                    .put("convergence", convergence)
                    .put("thresholds", new JsonObject().put("warning", threshold.warning().toMillis() / 1000.0)
                            .put("alarm", threshold.critical().toMillis() / 1000.0))
                    .put("sources", sources).put("targets", targets).put("pairs", pairs).put("endpoints", endpoints));
        }
        return new JsonObject().put("generatedAt", Instant.now().toString())
                .put("regions", regions(views, regionHealth))
                .put("sets", sets);
    }

    /** One row per region: region health's verdict and reason, and each store's endpoint there. */
    private static JsonArray regions(List<? extends SetView> views, RegionHealth health) {
        java.util.Set<String> all = new java.util.LinkedHashSet<>();
        views.forEach(s -> all.addAll(s.set().endpoints().keySet()));
        JsonArray out = new JsonArray();
        for (String region : all) {
            JsonArray stores = new JsonArray();
            for (SetView probe : views) {
                if (probe.set().endpoints().containsKey(region)) {
                    double silent = probe.writerSilentSeconds(region);
                    stores.add(new JsonObject().put("store", probe.set().store()).put("resource", probe.set().name())
                            .put("up", number(probe.endpointUp(region)))
                            .put("writing", Double.isNaN(silent) ? null : silent <= probe.writerStaleAfterSeconds()));
                }
            }
            JsonObject row = new JsonObject().put("region", region).put("stores", stores);
            health.status(region).ifPresentOrElse(s -> row.put("verdict", s.verdict().name()).put("healthy", s.healthy())
                            .put("reason", s.body().strip()).put("since", Instant.ofEpochMilli(s.sinceMillis()).toString()),
                    () -> row.put("verdict", "NOT_JUDGED").put("reason", health.onlyRegion() != null
                            ? "judged by the agent in " + region + " (this one judges " + health.onlyRegion() + ")"
                            : "no counted store here (region_health.stores)"));
            out.add(row);
        }
        return out;
    }

    private static String time(double epochSeconds) {
        return Double.isNaN(epochSeconds) ? null : Instant.ofEpochMilli((long) (epochSeconds * 1000)).toString();
    }

    /** JSON has no NaN: no value is null. */
    private static Double number(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }
}
