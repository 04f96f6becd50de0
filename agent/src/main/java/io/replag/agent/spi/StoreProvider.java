package io.replag.agent.spi;

import io.replag.agent.config.ConfigNode;
import io.replag.agent.config.ReplicationSet;
import io.vertx.core.Vertx;

/**
 * Makes a store known to replag: its config key, how its options are read, and how its client
 * is built. Adding a store is one package with a provider, listed in {@code Stores}.
 */
public interface StoreProvider {

    /** The {@code store:} value in the config and the {@code store} label. */
    String key();

    /** True if every region accepts writes (every ordered pair is probed); false for primary/replicas. */
    boolean multiWriter();

    /** False if a region may leave out {@code endpoint} to use the store's own endpoint for it (AWS APIs). */
    default boolean endpointRequired() {
        return true;
    }

    /**
     * The deadline of a set that names none, in the set or in {@code defaults}: how late a canary
     * may arrive before it counts as missed when the store is healthy.
     */
    default java.time.Duration defaultDeadline() {
        return java.time.Duration.ofSeconds(60);
    }

    /** The lag a healthy pair of this store stays under: warning and critical (the status page, the mixin's defaults). */
    default io.replag.agent.config.LagThreshold lagThreshold() {
        return io.replag.agent.config.LagThreshold.DEFAULT;
    }

    /**
     * Reads the store's options from the set's {@code <key>:} section. Reports problems through
     * {@code node}'s errors; the return value is ignored if there were any.
     */
    Object parseOptions(ConfigNode node);

    /** As {@link #parseOptions(ConfigNode)}, for stores whose options name the set's regions (S3's buckets and rules). */
    default Object parseOptions(ConfigNode node, java.util.List<String> regions) {
        return parseOptions(node);
    }

    /**
     * The pairs to probe when the store's options decide them (S3: one per replication rule);
     * empty to probe the default shape (every ordered pair, or primary to each replica).
     */
    default java.util.Optional<java.util.List<io.replag.agent.config.ReplicationPair>> pairs(Object options) {
        return java.util.Optional.empty();
    }

    CanaryStore create(Vertx vertx, ReplicationSet set);
}
