package io.replag.agent.spi;

import io.replag.agent.config.ConfigNode;
import io.replag.agent.config.LagThreshold;
import io.replag.agent.config.ReplicationPair;
import io.replag.agent.config.ReplicationSet;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Makes a store known to replag: its config key, how its options are read, and how its client
 * is built. A store is one package with a provider, registered in
 * {@code META-INF/services/io.replag.agent.spi.StoreProvider} and found with
 * {@link java.util.ServiceLoader} (see {@code Stores}); nothing outside the package names it.
 *
 * @param <O> the store's options, read from the set's {@code <key>:} section
 */
public interface StoreProvider<O extends StoreOptions> {

    /** The {@code store:} value in the config and the {@code store} label. */
    String key();

    /** The type of the store's options: the engine hands each store its own, typed. */
    Class<O> optionsType();

    /**
     * The shapes a set of this store may take: {@link Topology#EVERY_PAIR} where every region
     * accepts writes, {@link Topology#PRIMARY_REPLICAS} where one does, or both where the service
     * offers both (Redis: a Global Datastore has one writer, MemoryDB Multi-Region one per region).
     */
    java.util.Set<Topology> topologies();

    /** False if a region may leave out {@code endpoint} to use the store's own endpoint for it (AWS APIs). */
    default boolean endpointRequired() {
        return true;
    }

    /**
     * The deadline of a set that names none, in the set or in {@code defaults}: how late a canary
     * may arrive before it counts as missed when the store is healthy.
     */
    default Duration defaultDeadline() {
        return Duration.ofSeconds(60);
    }

    /**
     * The lag a healthy pair of this store stays under: warning and critical (the status page, and
     * the defaults that the monitoring mixin's {@code _config} must repeat; MixinTest holds them equal).
     */
    default LagThreshold lagThreshold() {
        return LagThreshold.DEFAULT;
    }

    /**
     * True if a canary write never replaces a canary with a higher seq (a conditional write), so a
     * target never sees its source's seq go backwards. False where the store has no conditional
     * write (S3's PutObject): the rule then rests on one writer per agent id, and a reordered write
     * that lands late shows in the targets as the newer canary still unseen, so lag rises until the
     * next canary overwrites it; it never counts a canary as arrived early, and the engine never
     * lowers a pair's highest seen seq.
     */
    default boolean seqNeverGoesBack() {
        return true;
    }

    /**
     * Reads the store's options from the set's {@code <key>:} section; {@code regions} are the set's
     * regions, in configuration order, for options that name them (S3's buckets and rules).
     * Reports problems through {@code node}'s errors; the return value is ignored if there were any.
     */
    O parseOptions(ConfigNode node, List<String> regions);

    /**
     * The pairs to probe when the store's options decide them (S3: one per replication rule);
     * empty to probe the default shape (every ordered pair, or primary to each replica).
     */
    default Optional<List<ReplicationPair>> pairs(O options) {
        return Optional.empty();
    }

    /** The store's client for {@code set}, whose options are {@code options}. */
    CanaryStore create(Vertx vertx, ReplicationSet set, O options);

    /** {@link #create} with the set's own options, checked against {@link #optionsType()}. */
    default CanaryStore create(Vertx vertx, ReplicationSet set) {
        return create(vertx, set, options(set));
    }

    /** The set's options as this store's type; fails with the set's name if they are not. */
    default O options(ReplicationSet set) {
        if (!optionsType().isInstance(set.options())) {
            throw new IllegalArgumentException("set \"" + set.name() + "\": options of store " + key() + " must be "
                    + optionsType().getSimpleName() + ", found " + (set.options() == null ? "none" : set.options().getClass().getSimpleName()));
        }
        return optionsType().cast(set.options());
    }

    /** {@link #pairs(StoreOptions)} for options of unchecked type (the config loader's). */
    default Optional<List<ReplicationPair>> pairsOf(StoreOptions options) {
        return optionsType().isInstance(options) ? pairs(optionsType().cast(options)) : Optional.empty();
    }
}
