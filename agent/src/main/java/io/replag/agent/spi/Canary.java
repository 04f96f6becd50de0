package io.replag.agent.spi;

import java.util.Objects;

/**
 * A canary as written in its source region: a sequence number that only increases (also across
 * agent restarts) and the writer's wall-clock time in microseconds since the epoch.
 *
 * <p>Lifecycle rules: one record per {@link CanaryKey}, overwritten by every write; a store must
 * never let a lower seq overwrite a higher one; a read in another region that returns
 * {@code seq >= n} proves canary n arrived there (it, or a later one that replaced it).
 */
public record Canary(CanaryKey key, long seq, long writtenAtMicros) {
    public Canary {
        Objects.requireNonNull(key, "key");
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be >= 1, found " + seq);
        }
    }
}
