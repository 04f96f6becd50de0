package io.replag.lab;

import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.lab.distance.Geography;

import java.util.Map;
import java.util.Optional;

/**
 * Makes a store's lab known to the demo, the accuracy run and the lab ITs: how its regions start,
 * and the replication set a user would write for them. A lab store is one package with a provider
 * annotated {@code @AutoService(LabStoreProvider.class)}; {@link LabStores} finds it, so the demo
 * has no per-store code.
 */
public interface LabStoreProvider {

    /** The store key, as in the replication set config (the agent's store of the same key probes it). */
    String store();

    /** The name of the demo's replication set on this store ({@link #demoSet}'s), known before the lab starts. */
    String setName();

    /**
     * Starts the store's lab regions, {@code geography} apart. Blocking.
     *
     * @throws LabUnavailable when a server the lab needs is not installed here (the demo then runs without it)
     */
    LabStore start(LabRegions regions, Geography geography) throws Exception;

    /**
     * The replication set the demo probes in {@code lab}: its name, the store's options (with the
     * lab's native-figure source where it has one), and {@code endpoints}, which reach each region
     * through the lab's distance.
     */
    ReplicationSet demoSet(LabStore lab, LabRegions regions, Map<String, Endpoint> endpoints, ProbeTiming timing);

    /**
     * The replication delay the store's service shows on AWS, set on every link when the lab runs
     * with a geography; empty where the link's delay is its distance (the SQL replication streams).
     */
    default Optional<LinkChange> awsLikeDelay() {
        return Optional.empty();
    }

    /**
     * {@code demo} as a client whose credentials the lab refuses would configure it (the
     * conformance kit's {@code auth_failed} case); empty when the lab's server checks none.
     */
    Optional<ReplicationSet> withWrongCredentials(ReplicationSet demo);

    /** {@code demo} pointed at a canary table or bucket that does not exist, never creating it (the kit's prepare case). */
    ReplicationSet withMissingResource(ReplicationSet demo);

    /** {@code demo} with other options of the store's own type. */
    static ReplicationSet withOptions(ReplicationSet demo, io.replag.agent.spi.StoreOptions options) {
        return new ReplicationSet(demo.name(), demo.store(), demo.endpoints(), demo.pairs(), demo.timing(), options, demo.burstAllowed());
    }
}
