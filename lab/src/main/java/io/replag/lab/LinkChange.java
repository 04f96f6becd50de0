package io.replag.lab;

import java.util.Optional;

/** A change to a link; absent fields stay as they are. */
public record LinkChange(Optional<Long> delayMs, Optional<Boolean> paused) {
}
