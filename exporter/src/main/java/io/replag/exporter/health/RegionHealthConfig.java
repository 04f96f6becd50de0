package io.replag.exporter.health;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * When {@code GET /health/regions/{region}} answers 200: every counted pair's lag is at most
 * {@code maxLag} and every counted endpoint in the region works, or the breach has lasted less
 * than {@code grace}.
 *
 * @param maxLag     the replication SLO per pair
 * @param grace      how long a breach must last before the region reports 503, so one late
 *                   canary does not flip DNS
 * @param directions {@code into} (pairs whose target is the region), {@code out} (whose source
 *                   is), or {@code both}
 * @param stores     the stores that count; empty: all
 */
public record RegionHealthConfig(Duration maxLag, Duration grace, String directions, Set<String> stores) {
    public static final Set<String> DIRECTIONS = Set.of("into", "out", "both");
    // after DIRECTIONS: the constructor reads it
    public static final RegionHealthConfig DEFAULT = new RegionHealthConfig(Duration.ofSeconds(30), Duration.ofSeconds(30), "both", Set.of());

    public RegionHealthConfig {
        Objects.requireNonNull(maxLag, "maxLag");
        Objects.requireNonNull(grace, "grace");
        if (!DIRECTIONS.contains(directions)) {
            throw new IllegalArgumentException("directions: must be into, out or both, found " + directions);
        }
        stores = Set.copyOf(stores);
    }
}
