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

    /** @throws java.util.NoSuchElementException if no such link exists */
    LinkState change(String source, String target, LinkChange change) throws Exception;

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

    @Override
    void close();
}
