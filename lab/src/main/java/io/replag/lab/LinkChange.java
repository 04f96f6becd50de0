package io.replag.lab;

import java.util.Optional;

/** A change to a link; absent fields stay as they are. */
public record LinkChange(Optional<Long> delayMs, Optional<Boolean> paused, Optional<Boolean> dropping) {
    public LinkChange(Optional<Long> delayMs, Optional<Boolean> paused) {
        this(delayMs, paused, Optional.empty());
    }
}
