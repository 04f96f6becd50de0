package io.replag.agent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The timing of one replication set's probes.
 *
 * @param interval       time between two canary writes in a source region
 * @param jitter         fraction of the interval by which each write moves at random (0 to 0.5), so
 *                       that many sets and agents do not write in lockstep
 * @param deadline       a canary not seen in a target by then counts as missed
 * @param requestTimeout every store call fails as {@code timeout} after this
 * @param nativeInterval time between two reads of the store's own lag figure per pair
 * @param poll           adaptive polling of targets after each write
 * @param convergence    the convergence probe of a set with a writer in every region; empty: off
 */
public record ProbeTiming(Duration interval, double jitter, Duration deadline, Duration requestTimeout,
                          Duration nativeInterval, PollSchedule poll, java.util.Optional<Convergence> convergence) {

    public static final ProbeTiming DEFAULT = builder().build();

    public ProbeTiming {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(nativeInterval, "nativeInterval");
        Objects.requireNonNull(poll, "poll");
        Objects.requireNonNull(convergence, "convergence");
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().interval(interval).jitter(jitter).deadline(deadline)
                .requestTimeout(requestTimeout).nativeInterval(nativeInterval).poll(poll)
                .convergence(convergence.orElse(null));
    }

    public static final class Builder {
        private Duration interval = Duration.ofSeconds(1);
        private double jitter = 0.1;
        private Duration deadline = Duration.ofSeconds(60);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration nativeInterval = Duration.ofSeconds(15);
        private PollSchedule poll = PollSchedule.DEFAULT;
        private java.util.Optional<Convergence> convergence = java.util.Optional.empty();

        public Builder interval(Duration v) { this.interval = v; return this; }
        public Builder jitter(double v) { this.jitter = v; return this; }
        public Builder deadline(Duration v) { this.deadline = v; return this; }
        public Builder requestTimeout(Duration v) { this.requestTimeout = v; return this; }
        public Builder nativeInterval(Duration v) { this.nativeInterval = v; return this; }
        public Builder poll(PollSchedule v) { this.poll = v; return this; }
        public Builder convergence(Convergence v) { this.convergence = java.util.Optional.ofNullable(v); return this; }

        public ProbeTiming build() {
            return new ProbeTiming(interval, jitter, deadline, requestTimeout, nativeInterval, poll, convergence);
        }
    }
}
