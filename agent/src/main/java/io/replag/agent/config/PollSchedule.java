package io.replag.agent.config;

import java.time.Duration;

/**
 * How a target is polled after a canary is written. Geometric: the first read after {@code first},
 * then each gap {@code factor} times the previous, never more than {@code max}; fast right after
 * the write, and cheap while replication is slow or stalled. The gap in force when a canary is
 * first seen bounds the uncertainty of its arrival time. Adaptive ({@code precision} > 0, the
 * default): once a pair's canaries have shown where they land, reads go there, about
 * {@code precision} apart, and the geometric schedule is the fallback for a canary later than that.
 */
public record PollSchedule(Duration first, double factor, Duration max, Duration precision) {

    /** The geometric schedule alone: every write starts it at {@code first}. */
    public PollSchedule(Duration first, double factor, Duration max) {
        this(first, factor, max, Duration.ZERO);
    }

    /**
     * True when the schedule learns each pair: once a few canaries have arrived, a write's reads
     * go around where the newest one landed, about {@code precision} apart across the spread of
     * recent forecast errors, and fall back to the geometric schedule past it.
     */
    public boolean adaptive() {
        return precision.compareTo(Duration.ZERO) > 0;
    }

    public long precisionMicros() {
        return precision.toNanos() / 1_000;
    }

    /** This schedule, learning each pair with reads {@code precision} apart around the expected arrival. */
    public PollSchedule withPrecision(Duration precision) {
        return new PollSchedule(first, factor, max, precision);
    }
    /**
     * The geometric schedule alone, chosen by {@code replag bench}'s schedule comparison
     * (docs/performance.md): for replication delays of 20 to 200 ms it costs ~4.2 reads per canary
     * for ~45 ms median uncertainty, where 10 ms x1.5 cost 4.6 reads for 55 ms; the 1 s cap bounds
     * the cost of a stall. At real regions' delays (a second and more) it costs 10 to 20 reads per
     * canary, which is why it is no longer the default.
     */
    public static final PollSchedule GEOMETRIC = new PollSchedule(Duration.ofMillis(15), 1.35, Duration.ofSeconds(1));

    /**
     * The geometric schedule learning each pair, with a 50 ms precision: on the bench's realistic
     * delay models (docs/performance.md) ~3.6 reads per canary at a global table's second, where
     * the geometric schedule alone reads ~10 times.
     */
    public static final PollSchedule DEFAULT = GEOMETRIC.withPrecision(Duration.ofMillis(50));

    public long firstMicros() {
        return first.toNanos() / 1_000;
    }

    public long maxMicros() {
        return max.toNanos() / 1_000;
    }

    /** The gap after {@code previousMicros}. */
    public long next(long previousMicros) {
        return next(previousMicros, maxMicros());
    }

    /** The gap after {@code previousMicros}, growing to {@code longestMicros} instead of {@code max} (a slow pair's late canary). */
    public long next(long previousMicros, long longestMicros) {
        return Math.min(longestMicros, Math.max(firstMicros(), (long) (previousMicros * factor)));
    }
}
