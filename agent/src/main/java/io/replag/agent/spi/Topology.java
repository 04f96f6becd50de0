package io.replag.agent.spi;

/**
 * The shapes a replication set of a store can take in the config, and the pairs each one probes.
 * A store accepts one or both ({@link StoreProvider#topologies()}); a set that may take either
 * chooses by its keys.
 */
public enum Topology {
    /** One writing region: {@code primary} and {@code replicas}; the primary to each replica is probed. */
    PRIMARY_REPLICAS,
    /** A writer in every region: {@code regions}; every ordered pair is probed. */
    EVERY_PAIR
}
