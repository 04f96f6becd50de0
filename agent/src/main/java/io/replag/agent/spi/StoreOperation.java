package io.replag.agent.spi;

/** The calls the engine makes on a store, as the {@code op} label of the call metrics says them. */
public enum StoreOperation {
    /** A canary write in its source region. */
    WRITE("write"),
    /** A canary read in a target region (or in the source, reading back after a stale seq). */
    READ("read"),
    /** Making a source region ready for writes (e.g. creating the canary table). */
    PREPARE("prepare"),
    /** The store's own lag figures and operation counts for a pair. */
    NATIVE("native"),
    /** The replication status the store keeps for the newest canary of a source. */
    STATUS("status"),
    /** The convergence probe's writes and reads of its own key (multi-writer sets). */
    CONVERGE("converge");

    private final String label;

    StoreOperation(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** True for the calls whose round trip times the endpoint's distance (canary writes and reads). */
    public boolean timesRoundTrip() {
        return this == WRITE || this == READ;
    }

    /**
     * True for calls beside the canary (the store's own figures, native and status; the convergence
     * probe): their failures are reported apart and never mark the endpoint down.
     */
    public boolean figure() {
        return this == NATIVE || this == STATUS || this == CONVERGE;
    }
}
