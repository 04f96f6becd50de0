package io.replag.exporter.config;

import io.replag.agent.Stores;
import io.replag.agent.config.LagThreshold;

import java.util.Map;
import java.util.Objects;

/**
 * The lag thresholds per store the status page colours by: each store's own (its provider's),
 * unless {@code lag_thresholds.<store>} names others. Keep them equal to the mixin's
 * ({@code stores.<store>.lag}) so that a red cell and ReplagLagHigh mean the same.
 */
public record LagThresholds(Map<String, LagThreshold> overrides) {
    public static final LagThresholds DEFAULT = new LagThresholds(Map.of());

    public LagThresholds {
        overrides = Map.copyOf(Objects.requireNonNull(overrides, "overrides"));
    }

    /** The store's thresholds; a database replica's for a store replag does not know. */
    public LagThreshold of(String store) {
        LagThreshold own = overrides.get(store);
        if (own != null) {
            return own;
        }
        return Stores.byKey(store).map(p -> p.lagThreshold()).orElse(LagThreshold.DEFAULT);
    }
}
