package io.replag.lab;

import java.util.Optional;

/** A change to a link; absent fields stay as they are. */
public record LinkChange(Optional<Long> delayMs, Optional<Boolean> paused, Optional<Boolean> dropping, Optional<Long> jitterMs) {
    public LinkChange(Optional<Long> delayMs, Optional<Boolean> paused, Optional<Boolean> dropping) {
        this(delayMs, paused, dropping, Optional.empty());
    }

    public LinkChange(Optional<Long> delayMs, Optional<Boolean> paused) {
        this(delayMs, paused, Optional.empty());
    }

    /** Only a delay, with the jitter given (DynamoDB and S3 links take jitter; the SQL labs refuse a non-zero one). */
    public static LinkChange delay(long delayMs, long jitterMs) {
        return new LinkChange(Optional.of(delayMs), Optional.empty(), Optional.empty(), Optional.of(jitterMs));
    }
}
