package io.replag.agent.engine;

import java.util.Arrays;

/**
 * Where a pair's next canary will land, for the adaptive poll schedule: at the newest canary's
 * latency (consecutive canaries travel the same path, so the newest is the best guess), give or
 * take what recent forecasts missed by. Pure logic; event-loop only.
 *
 * <p>A plan is a window centred on the expected latency, {@link #Z} robust standard deviations of
 * the recent forecast errors each side, read at most {@link #MAX_READS} times, and one read well
 * before it ({@link #GUARD_HALVES} half-windows earlier), so that a canary that comes early is still
 * timed to a fraction of its delay, not to the gap since the previous canary's reads. The window's
 * reads are a gap apart that times an arrival inside it to {@code poll.precision}: the precision
 * less what the interval adds to the gap between its two reads (the write's and the read's round
 * trips, for a store timed on replag's clock); wider when the window needs more reads than that,
 * so that a pair whose delay swings widely (S3) costs no more reads than one that holds still.
 */
final class ArrivalForecast {
    /** Recent values remembered for each median. */
    private static final int REMEMBERED = 16;
    /** Reads across the window. */
    static final int MAX_READS = 5;
    /** Half the window, in robust standard deviations of the forecast error: about half of all arrivals land inside. */
    static final double Z = 0.75;
    /** The read before the window comes this many half-windows (or gaps, if wider) before its first read. */
    static final int GUARD_HALVES = 2;
    /** The median of |error| is this many standard deviations of a normal error. */
    private static final double MEDIAN_ABS = 0.6745;

    private long newestSeq = -1;
    private long newestMicros;
    /** |actual - forecast| of recent canaries: of the forecast each was planned with, else of the one before it. */
    private final Ring errors = new Ring();
    /** What recent arrivals' intervals added to the gap between the read before and the read that saw them. */
    private final Ring added = new Ring();

    /**
     * The newest canary was read on a plan and came no earlier than its first read: its latency is
     * one to aim at. After a stall (canaries without a plan) or an arrival before a plan's first read
     * (the delay fell further than the spread says), the next canary is read on the geometric
     * schedule from its write instead, which times it closely at any delay and teaches the forecast.
     */
    private boolean trusted;

    /** Two forecasts checked, and the newest canary trusted: enough to aim at. */
    boolean ready() {
        return errors.count >= 2 && trusted;
    }

    /**
     * A canary arrived between {@code lowerMicros} and {@code upperMicros} after its write, with
     * the plan it was read on (null: without one), or on
     * the geometric schedule started at its write ({@code fromWrite}), or neither (during a stall).
     *
     * @return true when it is the newest canary yet, so the forecast moved
     */
    boolean arrived(long seq, long lowerMicros, long upperMicros, Plan plan, boolean fromWrite) {
        return arrived(seq, lowerMicros, upperMicros, plan, fromWrite, 0);
    }

    /**
     * As {@link #arrived(long, long, long, Plan, boolean)}, for a reader that planned on the write's
     * expected time ({@link Plan#sentMicros}) and learns its real one with the canary (an agent in
     * the target region): the write came {@code writeOffsetMicros} after it was expected, which is
     * the forecast's error too (the writer's jitter), though not the latency's.
     */
    boolean arrived(long seq, long lowerMicros, long upperMicros, Plan plan, boolean fromWrite, long writeOffsetMicros) {
        long forecast = plan != null ? plan.expectedMicros : fromWrite && newestSeq >= 0 ? newestMicros : -1;
        long latency = lowerMicros + (upperMicros - lowerMicros) / 2;
        if (forecast >= 0) {
            // not a stall's canaries: proven together when it ends, they would fill the spread with the stall's gaps
            errors.add(Math.abs(latency + (plan != null ? writeOffsetMicros : 0) - forecast));
        }
        if (seq <= newestSeq) {
            return false;
        }
        newestSeq = seq;
        newestMicros = latency;
        trusted = plan == null ? fromWrite : upperMicros + writeOffsetMicros > plan.readsMicros[0] + plan.spacingMicros / 2;
        return true;
    }

    /**
     * An arrival's interval was {@code addedMicros} wider than the {@code gapMicros} between the read
     * that saw it and the read before: the write's and the seeing read's round trips on replag's
     * clock, the servers' clock bounds and the read's own time on theirs. Ignored where the read
     * before was not the one that missed it (the interval is then shorter than the gap, or more than
     * twice as long).
     */
    void widened(long addedMicros, long gapMicros) {
        if (addedMicros >= 0 && addedMicros <= gapMicros) {
            added.add(addedMicros);
        }
    }

    /** What an interval adds to the gap between its two reads, as recent arrivals show it. */
    long addedMicros() {
        return added.median();
    }

    /** A robust standard deviation of the recent forecast errors. */
    long spreadMicros() {
        return (long) (errors.median() / MEDIAN_ABS);
    }

    /**
     * The reads for a canary sent at {@code sentMicros}.
     *
     * @param precisionMicros {@code poll.precision}: the uncertainty wanted
     * @param minGapMicros    the shortest gap ({@code poll.first})
     */
    Plan plan(long sentMicros, long precisionMicros, long minGapMicros) {
        long expected = newestMicros;
        // a quarter of a short delay: 50 ms gaps around a 40 ms delay would read once
        long precision = Math.max(minGapMicros, Math.min(expected / 4, precisionMicros));
        long added = addedMicros();
        // where the calls alone add more than half the target, narrower gaps cost reads and buy little
        long gap = added <= precision / 2 ? precision - added : precision;
        long half = (long) (Z * spreadMicros());
        long spacing = Math.max(gap, 2 * half / (MAX_READS - 1));
        int gaps = (int) Math.max(1, Math.min(MAX_READS - 1, (2 * half + spacing - 1) / spacing));
        long start = Math.max(0, expected - gaps * spacing / 2);
        long[] reads = new long[gaps + 2];
        reads[0] = Math.max(0, start - GUARD_HALVES * Math.max(spacing, half));
        for (int i = 0; i <= gaps; i++) {
            reads[i + 1] = start + i * spacing;
        }
        return new Plan(sentMicros, expected, spacing, reads);
    }

    /**
     * Where to read for one canary, in µs after its write as the target sees it.
     *
     * @param sentMicros     when the canary's write was sent
     * @param expectedMicros the latency expected
     * @param spacingMicros  the gap between the window's reads, where the geometric fallback starts
     * @param readsMicros    every read, the one before the window first
     */
    record Plan(long sentMicros, long expectedMicros, long spacingMicros, long[] readsMicros) {
        /** The window's first read. */
        long startMicros() {
            return readsMicros[1];
        }

        /** The window's last read. */
        long endMicros() {
            return readsMicros[readsMicros.length - 1];
        }

        /**
         * When to read, on the clock of {@code baseMicros} (the write as the target sees it, or as
         * it is expected): reads that would be due before {@code nowMicros} (a target further than
         * the source, a plan made again) are one read now, not a burst.
         */
        long[] readTimes(long baseMicros, long nowMicros) {
            long[] times = new long[readsMicros.length];
            int n = 0;
            for (long offset : readsMicros) {
                long at = baseMicros + offset;
                if (at < nowMicros) {
                    if (n > 0) {
                        continue;
                    }
                    at = nowMicros;
                }
                times[n++] = at;
            }
            return Arrays.copyOf(times, n);
        }

        /**
         * When the oldest unseen canary is this late, it is a stall, not a canary that missed its
         * window: half as late again as expected, and 4 spreads, past the window. (Just past the
         * window, a steady 3 s link whose canaries overlap three deep looked stalled at every write.)
         */
        long overdueMicros(long spreadMicros) {
            return Math.max(endMicros() + spacingMicros, expectedMicros + Math.max(4 * spreadMicros, expectedMicros / 2));
        }
    }

    /** The last {@link #REMEMBERED} values, and their median, sorted once per change (plans ask for it several times a canary). */
    private static final class Ring {
        private final long[] values = new long[REMEMBERED];
        private final long[] sorted = new long[REMEMBERED];
        private long count;
        private long median;
        private boolean stale;

        void add(long value) {
            values[(int) (count++ % REMEMBERED)] = value;
            stale = true;
        }

        long median() {
            if (stale) {
                int n = (int) Math.min(count, REMEMBERED);
                System.arraycopy(values, 0, sorted, 0, n);
                Arrays.sort(sorted, 0, n);
                median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
                stale = false;
            }
            return median;
        }
    }
}
