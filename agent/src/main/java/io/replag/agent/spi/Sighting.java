package io.replag.agent.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * What one read of a region returned: the canary visible there (empty if none), and when the
 * read saw it on the server's clock ({@link ServerTime#UNKNOWN} where the store offers none). For a
 * read that does not see a canary, {@code at.earliestMicros} bounds from below when it looked.
 */
public record Sighting(Optional<Canary> canary, ServerTime at) {
    public Sighting {
        Objects.requireNonNull(canary, "canary");
        Objects.requireNonNull(at, "at");
    }

    /** A read without a server time. */
    public static Sighting of(Optional<Canary> canary) {
        return new Sighting(canary, ServerTime.UNKNOWN);
    }

    /** The seq seen, 0 when the region has no canary. */
    public long seq() {
        return canary.map(Canary::seq).orElse(0L);
    }
}
