package io.replag.agent.burst;

import java.util.List;
import java.util.Locale;

/**
 * What a burst found (docs/burst.md): the write side, then each target.
 *
 * @param written      records written (acknowledged)
 * @param writeErrors  records whose write failed other than by throttling: never expected anywhere
 * @param throttled    writes the store refused for throughput, each written again later
 * @param writeSeconds from the first write sent to the last acknowledged
 * @param cleanup      what the cleanup did, or why it did not
 */
public record BurstReport(BurstPlan plan, long written, long writeErrors, long throttled, double writeSeconds,
                          List<Target> targets, String cleanup) {

    /** Records per second written, from the first send to the last acknowledgement. */
    public double achievedRate() {
        return writeSeconds > 0 ? written / writeSeconds : 0;
    }

    /**
     * One target region.
     *
     * @param expected           records written, so expected here
     * @param visibleAtReadAfter seen by the read at read-after (or an earlier one)
     * @param lost               never seen: still missing at the deadline
     * @param unread             never seen, but the last reads failed: unknown, not lost
     * @param latencyP50         of the records seen, seconds (NaN when none); see {@link #latencyBound}
     * @param latencyBound       "midpoint" (between the last read that missed and the first that saw, ±poll/2)
     *                           or "at most" (no polling: only the read at read-after bounds it)
     * @param reads              records read (a call reads many)
     * @param readCalls          store calls
     * @param lateReadAfterReads reads at read-after sent more than 50 ms after their time (the client could not keep up)
     * @param lateReads          records read more than 50 ms after their time, at read-after or not
     */
    public record Target(String region, long expected, long visibleAtReadAfter, long lost, long unread, long arrived,
                         double latencyP50, double latencyP99, double latencyMax, String latencyBound,
                         long reads, long readCalls, long readErrors, long lateReadAfterReads, long lateReads) {
        public double visibleShare() {
            return expected == 0 ? Double.NaN : (double) visibleAtReadAfter / expected;
        }
    }

    public String format() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "burst %s (%s) %s: %d records from %s, asked %.0f/s, read after %d ms, deadline %d ms, poll %s%n",
                plan.resource(), plan.store(), plan.run().id(), plan.records(), plan.source(), plan.rate(), plan.readAfter().toMillis(),
                plan.deadline().toMillis(), plan.poll().isZero() ? "off" : plan.poll().toMillis() + " ms"));
        out.append(String.format(Locale.ROOT, "  written %d in %.1f s (%.0f/s achieved), throttled %d (written again), failed %d%n",
                written, writeSeconds, achievedRate(), throttled, writeErrors));
        out.append(String.format(Locale.ROOT, "  %-16s %9s %12s %7s %7s %24s %10s %6s%n", "target", "expected", "at read-after",
                "lost", "unread", "latency p50 / p99 / max", "reads/rec", "errors"));
        for (Target t : targets) {
            out.append(String.format(Locale.ROOT, "  %-16s %9d %12.4f %7d %7d %24s %10.2f %6d%n", t.region(), t.expected(), t.visibleShare(),
                    t.lost(), t.unread(), latency(t), t.expected() == 0 ? 0.0 : (double) t.reads() / t.expected(), t.readErrors()));
            if (t.lateReadAfterReads() > 0) {
                out.append(String.format(Locale.ROOT, "  %-16s %d reads at read-after went out more than 50 ms late: this client, not replication, was slow%n",
                        "", t.lateReadAfterReads()));
            }
            if (t.reads() > 0 && t.lateReads() * 100 > t.reads()) {
                out.append(String.format(Locale.ROOT, "  %-16s %.0f%% of reads went out more than 50 ms after their time: the latency is this client's "
                        + "as much as replication's (lower --rate, or raise --poll)%n", "", 100.0 * t.lateReads() / t.reads()));
            }
        }
        out.append(String.format(Locale.ROOT, "  latency: %s; cleanup: %s%n",
                targets.isEmpty() ? "" : targets.get(0).latencyBound().equals("midpoint")
                        ? "midpoint between the last read that missed a record and the first that saw it (within half the poll period)"
                        : "at most (no polling: the first read that saw each record)", cleanup));
        return out.toString();
    }

    private static String latency(Target t) {
        if (t.arrived() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.3f / %.3f / %.3f s", t.latencyP50(), t.latencyP99(), t.latencyMax());
    }
}
