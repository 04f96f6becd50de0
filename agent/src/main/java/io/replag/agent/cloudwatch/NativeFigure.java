package io.replag.agent.cloudwatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Chooses the CloudWatch datapoint to show as current. CloudWatch answers with gaps (no
 * replication in a minute), with the current minute still filling (a partial average), and with
 * minutes that arrive late. Rules: only complete periods count (start + period before now); the
 * newest complete one wins; if it is older than {@code maxAge}, there is no current figure rather
 * than an old one passing for current.
 */
public final class NativeFigure {
    public static final Duration PERIOD = Duration.ofMinutes(1);
    /** A datapoint older than this is no current figure. */
    public static final Duration MAX_AGE = Duration.ofMinutes(5);

    private NativeFigure() {
    }

    /** The current figure in the datapoints' unit, or empty when no complete datapoint is recent enough. */
    public static OptionalDouble current(List<Datapoint> datapoints, Instant now, Duration maxAge) {
        return datapoints.stream()
                .filter(d -> !d.periodStart().plus(PERIOD).isAfter(now))
                .filter(d -> !Double.isNaN(d.value()))
                .max(Comparator.comparing(Datapoint::periodStart))
                .filter(d -> !d.periodStart().plus(PERIOD).plus(maxAge).isBefore(now))
                .map(d -> OptionalDouble.of(d.value()))
                .orElse(OptionalDouble.empty());
    }
}
