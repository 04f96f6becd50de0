package io.replag.agent.engine;

import java.util.Arrays;

/**
 * Where a pair's next canary will land, for the adaptive poll schedule: at the newest canary's
 * latency (consecutive canaries travel the same path, so the newest is the best guess), give or
 * take what recent forecasts missed by (the spread: a robust standard deviation of their errors).
 * Pure logic; event-loop only.
 *
 * <p>A plan's window is lopsided because reads cost only until the canary is seen: the reads after
 * an arrival are never made. So the window starts a little before the expected latency ({@link
 * #BEFORE} spreads) and runs far past it ({@link #AFTER} spreads): a canary that comes early costs
 * the read before the window and the window's first (its interval spans the two), one that comes
 * late is still timed to the precision, and the reads that cover the late side are paid only by
 * the late. (A window centred on the forecast cost 4.4 reads per canary for 54 ms on the bench's
 * DynamoDB-like model; this one 3.6 for 49 ms.) One read comes before the window, a spread or two
 * gaps earlier, so that an early canary is still timed to a fraction of its delay, not to the gap
 * since the previous canary's reads.
 *
 * <p>The window's reads are a gap apart that times an arrival inside it to {@code poll.precision}:
 * the precision less what an interval adds to the gap between its two reads (the write's and the
 * read's round trips, for a store timed on replag's clock, at their 95th percentile so that most
 * intervals keep inside the precision); wider where the window would need more than {@link
 * #MAX_READS} reads, so that a pair whose delay swings widely (S3) costs a bounded number.
 */
final class ArrivalForecast {
    /** Recent values remembered for each median. */
    private static final int REMEMBERED = 16;
    /** Reads across the window, at most. */
    static final int MAX_READS = 10;
    /** The window starts this many spreads before the expected latency. */
    static final double BEFORE = 0.3;
    /** The window ends this many spreads after the expected latency. */
    static final double AFTER = 1.6;
    /** The share of recent intervals whose added width the window's gap leaves room for. */
    private static final double ADDED_QUANTILE = 0.95;
    /** The median of |error| is this many standard deviations of a normal error. */
    private static final double MEDIAN_ABS = 0.6745;

    private long newestSeq = -1;
    private long newestMicros;
    /** |actual - forecast| of recent canaries: of the forecast each was planned with, else of the one before it. */
    private final Ring errors = new Ring();
    /** What recent arrivals' intervals added to the gap between the read before and the read that saw them. */
    private final Ring added = new Ring();

    /**
     * The newest canary came where no plan looked for it: before its plan's first read, or during a
     * stall (without a plan). The next plan's spread is at least this: half that canary's interval,
     * or of its jump from the one before, whichever is more. 0 otherwise.
     */
    private long surpriseMicros;

    /**
     * Two forecasts checked: enough to aim at. Until then (a new pair, or a restart) canaries are
     * read on the geometric schedule from their write, which times them closely at any delay.
     */
    boolean ready() {
        return errors.count >= 2;
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
        long previous = newestSeq >= 0 ? newestMicros : -1;
        newestSeq = seq;
        // a wide interval (before the window): where in it the forecast it was planned with puts the arrival (the
        // midpoint of one that the read before the window saw moved the next forecast too far: 3.6 -> 3.9 reads on the bench)
        newestMicros = plan != null && upperMicros - lowerMicros > 2 * plan.spacingMicros() && plan.spreadMicros() > 0
                ? likeliest(plan.expectedMicros() - writeOffsetMicros, plan.spreadMicros(), lowerMicros, upperMicros)
                : latency;
        surpriseMicros = 0;
        if (plan != null && upperMicros + writeOffsetMicros <= plan.readsMicros[0] + plan.spacingMicros / 2) {
            surpriseMicros = (upperMicros - lowerMicros) / 2; // seen by the read before the window: the delay fell
        } else if (plan == null && !fromWrite && previous >= 0) {
            // a stall's canary (or one whose plan was dropped): aim at it, with room for how far it moved
            surpriseMicros = Math.max(upperMicros - lowerMicros, Math.abs(latency - previous)) / 2;
        }
        return true;
    }

    /**
     * The mean of a normal distribution ({@code mean}, {@code sigma}) cut to [{@code lower},
     * {@code upper}]: the likeliest latency of a canary seen across a wide interval, given the
     * forecast. Its midpoint would move the next forecast by half the interval's width, and a
     * canary just before the window is more likely near the window than near the read before it.
     */
    static long likeliest(long mean, long sigma, long lower, long upper) {
        double a = (lower - mean) / (double) sigma;
        double b = (upper - mean) / (double) sigma;
        double mass = normalCdf(b) - normalCdf(a);
        if (mass < 1e-6) {
            return lower + (upper - lower) / 2; // the forecast says nothing about so unlikely an interval
        }
        return Math.max(lower, Math.min(upper, mean + (long) (sigma * (normalPdf(a) - normalPdf(b)) / mass)));
    }

    private static double normalPdf(double z) {
        return Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
    }

    /** Abramowitz and Stegun 7.1.26: within 1.5e-7. */
    static double normalCdf(double z) {
        double t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.sqrt(2));
        double erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
                * Math.exp(-z * z / 2);
        return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
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

    /** What an interval adds to the gap between its two reads, as most recent arrivals show it. */
    long addedMicros() {
        return added.quantile(ADDED_QUANTILE);
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
        // no narrower than half the target: where the calls add more, reads would cost more than they buy, and where
        // they alone add the whole target (a far target) no gap reaches it, so reads go at the target's own pace
        long gap = added < precision ? Math.max(precision - added, precision / 2) : precision;
        long spread = Math.max(spreadMicros(), surpriseMicros);
        // at least half a gap: the newest latency is itself known only to its interval, which is about a gap wide
        long before = Math.max((long) (BEFORE * spread), gap / 2);
        long span = before + (long) (AFTER * spread);
        long spacing = Math.max(gap, span / (MAX_READS - 1));
        int gaps = (int) Math.max(1, Math.min(MAX_READS - 1, (span + spacing - 1) / spacing));
        long start = Math.max(0, expected - before);
        long[] reads = new long[gaps + 2];
        reads[0] = Math.max(0, start - Math.max(2 * spacing, spread));
        for (int i = 0; i <= gaps; i++) {
            reads[i + 1] = start + i * spacing;
        }
        return new Plan(sentMicros, expected, spacing, reads, spread);
    }

    /**
     * Where to read for one canary, in µs after its write as the target sees it.
     *
     * @param sentMicros     when the canary's write was sent
     * @param expectedMicros the latency expected
     * @param spacingMicros  the gap between the window's reads, where the geometric fallback starts
     * @param readsMicros    every read, the one before the window first
     * @param spreadMicros   the spread the window was sized for
     */
    record Plan(long sentMicros, long expectedMicros, long spacingMicros, long[] readsMicros, long spreadMicros) {
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
         * window: later than expected by half the expected latency or 4 of the plan's spreads,
         * whichever is more, and past the window. (Just past the window, a steady 3 s link whose
         * canaries overlap three deep looked stalled at every write.)
         */
        long overdueMicros() {
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

        /** The value {@code q} of the way up the sorted recent values (0.5: about the median). */
        long quantile(double q) {
            sort();
            int n = (int) Math.min(count, REMEMBERED);
            return n == 0 ? 0 : sorted[Math.min(n - 1, (int) (q * n))];
        }

        long median() {
            sort();
            return median;
        }

        private void sort() {
            if (stale) {
                int n = (int) Math.min(count, REMEMBERED);
                System.arraycopy(values, 0, sorted, 0, n);
                Arrays.sort(sorted, 0, n);
                median = n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
                stale = false;
            }
        }
    }
}
