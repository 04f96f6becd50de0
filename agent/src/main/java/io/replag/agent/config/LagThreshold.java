package io.replag.agent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How much lag a store's pair may show before it is a warning, and before it is critical: what the
 * status page colours by and what the mixin's ReplagLagHigh / ReplagLagCritical page on (the
 * mixin's defaults equal each store's, MixinTest holds them together).
 *
 * @param warning  above it a pair is a warning
 * @param critical above it a pair is critical; more than {@code warning}
 */
public record LagThreshold(Duration warning, Duration critical) {
    /** A database replica's: half a minute is a warning, two minutes critical. */
    public static final LagThreshold DEFAULT = new LagThreshold(Duration.ofSeconds(30), Duration.ofSeconds(120));

    public LagThreshold {
        Objects.requireNonNull(warning, "warning");
        Objects.requireNonNull(critical, "critical");
        if (warning.isNegative() || warning.isZero() || critical.compareTo(warning) <= 0) {
            throw new IllegalArgumentException("need 0 < warning < critical, found " + warning + " and " + critical);
        }
    }

    public static LagThreshold of(Duration warning, Duration critical) {
        return new LagThreshold(warning, critical);
    }
}
