package io.replag.lab;

import java.util.List;

/**
 * The lab's regions of one store and the links between them. Methods block (they start
 * processes, run JDBC): callers on an event loop must run them on a worker thread.
 */
public interface LabStore extends AutoCloseable {
    /** The store key, as in the replication set config. */
    String store();

    List<LinkState> links();

    /**
     * True if a link's delay is applied to the millisecond, so a measured interval must contain it;
     * false where the server only approximates it (MariaDB's MASTER_DELAY is whole seconds).
     */
    default boolean exactDelays() {
        return true;
    }

    /** Region to the port on 127.0.0.1 that a client of the region's endpoint connects to. */
    java.util.Map<String, Integer> ports();

    /** @throws java.util.NoSuchElementException if no such link exists */
    LinkState change(String source, String target, LinkChange change) throws Exception;

    /** The keys of the writes the link lost while dropping (the first million); none where the lab cannot drop. */
    default java.util.List<String> droppedKeys(String source, String target) {
        return java.util.List.of();
    }

    /** Stops the region's server (a crashed replica). */
    void stopRegion(String region) throws Exception;

    /** Starts the region's server again with its data. */
    void startRegion(String region) throws Exception;

    /** Sets the fault proxy in front of the region's endpoint. @throws UnsupportedOperationException without one */
    default Fault fault(String region, Fault fault) {
        throw new UnsupportedOperationException("the " + store() + " lab has no fault proxy");
    }

    /** Region to the fault in force, for the stores that have fault proxies. */
    default java.util.Map<String, Fault> faults() {
        return java.util.Map.of();
    }

    /**
     * Every replag canary visible in the region now, read straight from its server (no distance, no
     * fault proxy), for the lab's own observer of the truth ({@code replag accuracy}). Blocking.
     *
     * @throws Exception when the region cannot be read (a stopped server)
     */
    java.util.List<ObservedCanary> observe(String region) throws Exception;

    @Override
    void close();
}
