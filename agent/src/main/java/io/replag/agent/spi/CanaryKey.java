package io.replag.agent.spi;

import java.util.Objects;

/**
 * Identifies the one canary record an agent owns for one source region. Stores derive their
 * record key from it (a row, an item, an object key), so an agent never touches other records.
 */
public record CanaryKey(String agent, String sourceRegion) {
    public CanaryKey {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(sourceRegion, "sourceRegion");
    }

    /** The conventional textual key, {@code replag/<agent>/<source_region>}, for key-value stores. */
    public String path() {
        return "replag/" + agent + "/" + sourceRegion;
    }
}
