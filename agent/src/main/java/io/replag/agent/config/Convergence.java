package io.replag.agent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The convergence probe of a set with a writer in every region: every {@code interval}, two
 * regions write one key within a round trip of each other, and every region is read until all
 * show the same value; a round that has not agreed by {@code deadline} is divergent.
 */
public record Convergence(Duration interval, Duration deadline) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

    public Convergence {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(deadline, "deadline");
    }

    public long intervalMicros() {
        return interval.toNanos() / 1_000;
    }

    public long deadlineMicros() {
        return deadline.toNanos() / 1_000;
    }
}
