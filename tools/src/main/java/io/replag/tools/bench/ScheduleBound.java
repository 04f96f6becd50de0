package io.replag.tools.bench;

import io.replag.agent.config.PollSchedule;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The fewest reads per canary that any of a family of plans costs on the S3-like model for a 1 s
 * median uncertainty: the evidence behind docs/performance.md's answer to issue 18's S3 target.
 * Idealized in the schedule's favour: each pair's spread is known exactly, its canaries' errors
 * are normal, and a plan pays nothing to learn.
 *
 * <p>A canary's reads stop at the first that sees it, and until then each read answers only "not
 * yet", so any schedule, however adaptive, is one list of read times per canary: a plan. The
 * family: one read before a window of evenly spaced reads, then the geometric fallback (x1.35, the engine's)
 * past it, all in units of the pair's spread (its window's start from -1.5 to +2 spreads, its
 * gap from 0.1 to 1.5 spreads, the read before 0.5 to 1.5 spreads or one or two gaps earlier),
 * and windows whose reads sit at evenly spaced quantiles of the normal (denser where arrivals are
 * likelier). A canary that comes before the first read is timed to
 * the canary interval (the read before it is the previous canary's).
 *
 * <p>Two ways to give each pair a plan: the same plan, in spreads, for every pair (all a schedule
 * can do where its precision is out of reach, as 50 ms is for every S3 pair: it has no scale but
 * the spread); or each pair the plan best for it, knowing the 1 s target (the cheapest mix that
 * keeps half the canaries within 1 s, found by weighing a canary within 1 s, and one within the
 * p90 cap, against reads).
 */
final class ScheduleBound {
    /** The target: the median uncertainty, in seconds. */
    static final double TARGET_S = 1.0;

    private final double intervalS;
    private final double[] spreadsS;
    private final List<Plan> plans = new ArrayList<>();

    /**
     * One plan, as its cost and what it yields on normal errors: reads per canary, and the sorted
     * widths of its intervals in spreads, of {@code samples} canaries (those before its first read
     * left out: each is timed to the canary interval).
     */
    record Plan(String shape, double readsPerCanary, double[] sortedWidths, int samples) {
        /** The share of canaries timed within {@code seconds} on a pair whose spread is {@code spreadS}. */
        double within(double seconds, double spreadS, double intervalS) {
            int i = Arrays.binarySearch(sortedWidths, seconds / spreadS + 1e-12);
            int within = (i >= 0 ? i + 1 : -i - 1) + (seconds >= intervalS ? samples - sortedWidths.length : 0);
            return within / (double) samples;
        }
    }

    /** What a way of choosing plans yields over every pair: reads, and the median and p90 uncertainty (s). */
    record Outcome(double readsPerCanary, double medianS, double p90S) {
    }

    ScheduleBound(int pairs, int samples, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        this.intervalS = DelayModels.S3_INTERVAL.toMillis() / 1000.0;
        double innovation = Math.sqrt(1 - DelayModels.S3_RHO * DelayModels.S3_RHO) * DelayModels.S3_SIGMA;
        spreadsS = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            double delayS = DelayModels.S3_MEDIAN_MICROS / 1e6 * Math.exp(DelayModels.S3_SIGMA * DelayModels.gaussian(random));
            spreadsS[i] = innovation * delayS;
        }
        double[] errors = new double[samples];
        for (int i = 0; i < samples; i++) {
            errors[i] = DelayModels.gaussian(random);
        }
        Arrays.sort(errors);
        for (double gap : new double[]{0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5}) {
            for (int a = -6; a <= 8; a++) {
                double start = a * 0.25;
                for (double before : new double[]{gap, 2 * gap, 0.5, 1.0, 1.5}) {
                    int n = (int) Math.min(60, Math.ceil((Math.max(start, 0) + 3 - start) / gap) + 1);
                    double[] reads = new double[n + 1];
                    reads[0] = start - before;
                    for (int k = 0; k < n; k++) {
                        reads[k + 1] = start + k * gap;
                    }
                    plans.add(evaluate(String.format("read %.2f before, window from %+.2f, %.2f apart", before, start, gap), reads, errors));
                }
            }
        }
        // reads denser where arrivals are likelier: at evenly spaced quantiles of the normal
        for (int n = 3; n <= 13; n++) {
            for (double from : new double[]{0.05, 0.1, 0.2, 0.3, 0.4}) {
                for (double to : new double[]{0.8, 0.9, 0.95, 0.98}) {
                    for (double before : new double[]{0.3, 0.5, 1.0}) {
                        double[] reads = new double[n + 1];
                        for (int k = 0; k < n; k++) {
                            reads[k + 1] = normalQuantile(from + (to - from) * k / (n - 1));
                        }
                        reads[0] = reads[1] - before;
                        plans.add(evaluate(String.format("read %.2f before, %d at quantiles %.2f to %.2f", before, n, from, to), reads, errors));
                    }
                }
            }
        }
    }

    /** The standard normal's {@code p} quantile, by bisection on Abramowitz and Stegun 7.1.26 (within 1.5e-7). */
    static double normalQuantile(double p) {
        double lo = -8;
        double hi = 8;
        while (hi - lo > 1e-9) {
            double mid = (lo + hi) / 2;
            double t = 1 / (1 + 0.3275911 * Math.abs(mid) / Math.sqrt(2));
            double erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
                    * Math.exp(-mid * mid / 2);
            double cdf = mid >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
            if (cdf < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** Reads per canary and the sorted widths (in spreads; infinite before the first read) of one plan on sorted errors. */
    static Plan evaluate(String shape, double[] reads, double[] sortedErrors) {
        int n = reads.length;
        double[] widths = new double[sortedErrors.length];
        long readsMade = 0;
        int r = 0;
        double fallbackAt = reads[n - 1];
        double fallbackGap = n > 1 ? reads[n - 1] - reads[n - 2] : 0.5;
        int fallbackReads = n;
        for (int i = 0; i < sortedErrors.length; i++) {
            double z = sortedErrors[i];
            while (r < n && reads[r] < z) {
                r++;
            }
            if (r < n) {
                readsMade += r + 1;
                widths[i] = r == 0 ? Double.POSITIVE_INFINITY : reads[r] - reads[r - 1];
            } else {
                while (fallbackAt < z) {
                    fallbackGap *= PollSchedule.GEOMETRIC.factor();
                    fallbackAt += fallbackGap;
                    fallbackReads++;
                }
                readsMade += fallbackReads;
                widths[i] = fallbackGap;
            }
        }
        double[] finite = Arrays.stream(widths).filter(Double::isFinite).sorted().toArray();
        return new Plan(shape, readsMade / (double) sortedErrors.length, finite, sortedErrors.length);
    }

    /** The same plan for every pair: the cheapest whose median is within the target and p90 within {@code p90CapS}. */
    Choice sameForEveryPair(double p90CapS) {
        Choice best = null;
        for (Plan plan : plans) {
            Plan[] each = new Plan[spreadsS.length];
            Arrays.fill(each, plan);
            Choice c = new Choice(each);
            if (c.meets(p90CapS) && (best == null || c.outcome.readsPerCanary < best.outcome.readsPerCanary)) {
                best = c;
            }
        }
        return best;
    }

    /** Each pair its own plan, knowing the target: the cheapest mix found whose median is within it and p90 within {@code p90CapS}. */
    Choice eachItsOwn(double p90CapS) {
        double[][] withinTarget = new double[spreadsS.length][plans.size()];
        double[][] withinCap = new double[spreadsS.length][plans.size()];
        for (int i = 0; i < spreadsS.length; i++) {
            for (int j = 0; j < plans.size(); j++) {
                withinTarget[i][j] = plans.get(j).within(TARGET_S, spreadsS[i], intervalS);
                withinCap[i][j] = plans.get(j).within(p90CapS, spreadsS[i], intervalS);
            }
        }
        Choice best = null;
        for (double weight : new double[]{1, 2, 3, 4, 5, 6, 8, 10, 14, 20}) {
            for (double tailWeight : new double[]{0, 1, 2, 4, 8, 16, 32, 64}) {
                Plan[] each = new Plan[spreadsS.length];
                for (int i = 0; i < spreadsS.length; i++) {
                    double bestValue = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < plans.size(); j++) {
                        double value = weight * withinTarget[i][j] + tailWeight * withinCap[i][j] - plans.get(j).readsPerCanary;
                        if (value > bestValue) {
                            bestValue = value;
                            each[i] = plans.get(j);
                        }
                    }
                }
                Choice c = new Choice(each);
                if (c.meets(p90CapS) && (best == null || c.outcome.readsPerCanary < best.outcome.readsPerCanary)) {
                    best = c;
                }
            }
        }
        return best;
    }

    /** A plan for each pair (pairs are equally likely), and what it yields. */
    final class Choice {
        Outcome outcome() {
            return outcome;
        }

        final Plan[] each;
        final Outcome outcome;

        Choice(Plan[] each) {
            this.each = each;
            double reads = 0;
            for (Plan p : each) {
                reads += p.readsPerCanary;
            }
            outcome = new Outcome(reads / each.length, quantile(0.5), quantile(0.9));
        }

        boolean meets(double p90CapS) {
            return outcome.medianS <= TARGET_S && outcome.p90S <= p90CapS;
        }

        /** The share of all canaries timed within {@code seconds}. */
        double within(double seconds) {
            double sum = 0;
            for (int i = 0; i < each.length; i++) {
                sum += each[i].within(seconds, spreadsS[i], intervalS);
            }
            return sum / each.length;
        }

        /** The uncertainty below which {@code q} of all canaries are timed, to 10 ms. */
        double quantile(double q) {
            double lo = 0;
            double hi = intervalS;
            if (within(hi) < q) {
                return intervalS;
            }
            while (hi - lo > 0.01) {
                double mid = (lo + hi) / 2;
                if (within(mid) >= q) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            return hi;
        }
    }

    static void print(PrintStream out, int pairs, int samples) {
        ScheduleBound bound = new ScheduleBound(pairs, samples, 18);
        out.printf("%nS3-like at a %.0f s median uncertainty: the fewest reads per canary of %d plans (each pair's spread known exactly,"
                + " normal errors, %d pairs)%n", TARGET_S, bound.plans.size(), pairs);
        out.printf("%-14s %-44s %-44s%n", "p90 at most", "the same plan for every pair", "each pair its own plan, knowing the target");
        for (double cap : new double[]{bound.intervalS, 6, 4.5}) {
            out.printf("%-14s %-44s %-44s%n", cap >= bound.intervalS ? "any" : String.format("%.1f s", cap),
                    describe(bound.sameForEveryPair(cap), bound.intervalS), describe(bound.eachItsOwn(cap), bound.intervalS));
        }
    }

    private static String describe(Choice c, double intervalS) {
        return c == null ? "none found" : String.format("%.2f reads (p50 %.2f s, p90 %s)", c.outcome.readsPerCanary, c.outcome.medianS,
                c.outcome.p90S >= intervalS ? String.format("%.0f s+", intervalS) : String.format("%.2f s", c.outcome.p90S));
    }
}
