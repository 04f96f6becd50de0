package io.replag.agent.engine;

import io.replag.agent.spi.Canary;
import io.replag.agent.spi.ServerTime;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lag of one pair as an agent in the target region sees it, without having written the
 * canaries (per-region mode). Pure logic, time passed in; single-threaded except the volatile
 * snapshot read by {@link #lagNowMicros(long)}.
 *
 * <p>What the reader knows of canary n comes from the records it reads: n's write time (no later
 * than its commit) and, in n+1's record, when n had certainly committed. An arrival is therefore
 * final once the next canary's record is read, about an interval later; until then it is pending.
 * The interval that holds the truth:
 * <ul>
 *   <li>on the servers' clocks (the read came with a {@link ServerTime}): from the last miss's
 *   snapshot to the first hit's, against the commit between the row's own server time and the
 *   writer's reading after the commit;</li>
 *   <li>on the agents' clocks: from the last miss's send to the hit's answer on this agent's clock,
 *   against the commit between the write's send and its acknowledgement on the writer's clock,
 *   widened by both agents' clock error bounds.</li>
 * </ul>
 * An interval whose upper end is below zero can only come from clocks worse than their bounds: it
 * is a clock anomaly, counted and never exported as a negative latency.
 */
public final class RemoteLagTracker {
    private static final long NONE = Long.MIN_VALUE;

    /** A canary seen, waiting for the record that bounds its commit. */
    private record Seen(Canary canary, long hitEndMicros, long hitServerMicros, long missStartMicros, long missServerMicros,
                        long seenAtMicros) {
    }

    /** What one read of the target returned. */
    public record Result(List<Arrival> arrivals, int anomalies, long newCanaries) {
        static final Result NOTHING = new Result(List.of(), 0, 0);
    }

    private final long readerClockErrorMicros;
    private final long commitFallbackMicros;
    private final Map<Long, Seen> pending = new LinkedHashMap<>();
    private final Map<Long, Long> committedBy = new LinkedHashMap<>();
    private long highestSeq;
    /** The latest read that returned the highest seq (or less): a miss for every later canary. */
    private long missStartMicros = NONE;
    private long missServerMicros = NONE;
    private volatile long newestWrittenAtMicros = -1;
    private volatile long lastLatencyMicros = -1;

    /**
     * @param readerClockErrorMicros this agent's clock error bound
     * @param commitFallbackMicros   when no record says when a canary committed, it did within this of its
     *                               write (the writer's request timeout: a slower write failed)
     */
    public RemoteLagTracker(long readerClockErrorMicros, long commitFallbackMicros) {
        this.readerClockErrorMicros = readerClockErrorMicros;
        this.commitFallbackMicros = commitFallbackMicros;
    }

    /**
     * A read sent at {@code startMicros} and answered at {@code endMicros} (this agent's clock)
     * returned {@code canary} (null when the target has none), at {@code at} on the server's clock.
     */
    public Result read(Canary canary, long startMicros, long endMicros, ServerTime at) {
        if (canary == null) {
            noteMiss(startMicros, at);
            return Result.NOTHING;
        }
        long fresh = 0;
        if (canary.seq() > highestSeq) {
            fresh = highestSeq == 0 ? 1 : canary.seq() - highestSeq;
            if (highestSeq > 0) {
                pending.put(canary.seq(), new Seen(canary, endMicros, at.known() ? at.latestMicros() : -1, missStartMicros,
                        missServerMicros, endMicros));
            }
            // the first canary ever seen has no miss before it: it only starts the account
            highestSeq = canary.seq();
            newestWrittenAtMicros = canary.writtenAtMicros();
            missStartMicros = NONE;
            missServerMicros = NONE;
        }
        noteMiss(startMicros, at);
        if (canary.boundsPrevious()) {
            committedBy.put(canary.prevSeq(), canary.prevCommittedMicros());
        }
        return finish(endMicros, fresh);
    }

    private void noteMiss(long startMicros, ServerTime at) {
        missStartMicros = Math.max(missStartMicros, startMicros);
        if (at.known()) {
            missServerMicros = Math.max(missServerMicros, at.earliestMicros());
        }
    }

    /** Finalises every pending canary whose commit is now bounded, or whose fallback bound has come. */
    private Result finish(long nowMicros, long fresh) {
        List<Arrival> arrivals = List.of();
        int anomalies = 0;
        for (Iterator<Seen> it = pending.values().iterator(); it.hasNext(); ) {
            Seen s = it.next();
            Long committed = committedBy.remove(s.canary.seq());
            boolean timedOut = nowMicros - s.seenAtMicros > commitFallbackMicros;
            if (committed == null && !timedOut) {
                continue;
            }
            it.remove();
            Arrival a = arrival(s, committed);
            if (a == null) {
                anomalies++;
                continue;
            }
            if (arrivals.isEmpty()) {
                arrivals = new ArrayList<>(2);
            }
            arrivals.add(a);
            lastLatencyMicros = a.latencyMicros();
        }
        committedBy.keySet().removeIf(seq -> seq < highestSeq - 16); // bounds the map across gaps
        return new Result(arrivals, anomalies, fresh);
    }

    private Arrival arrival(Seen s, Long committed) {
        Canary c = s.canary;
        long writerError = c.clockErrorMicros();
        boolean server = s.hitServerMicros >= 0;
        long lower;
        long upper;
        if (server) {
            long commitLo = c.writtenAtMicros() - writerError;
            long commitHi = committed != null ? committed : c.writtenAtMicros() + writerError + commitFallbackMicros;
            lower = s.missServerMicros == NONE ? 0 : s.missServerMicros - commitHi;
            upper = s.hitServerMicros - commitLo;
        } else {
            long commitLo = c.writtenAtMicros() - writerError;
            long commitHi = (committed != null ? committed : c.writtenAtMicros() + commitFallbackMicros) + writerError;
            lower = s.missStartMicros == NONE ? 0 : s.missStartMicros - readerClockErrorMicros - commitHi;
            upper = s.hitEndMicros + readerClockErrorMicros - commitLo;
        }
        if (upper < 0) {
            return null; // only clocks worse than their bounds can put the hit before the write
        }
        lower = Math.max(0, lower);
        upper = Math.max(lower, upper);
        return new Arrival(c.seq(), c.writtenAtMicros(), lower, upper, s.seenAtMicros,
                server ? Arrival.Method.SERVER_CLOCK : Arrival.Method.CLIENT_CLOCK);
    }

    /** Finalises what has waited past its fallback; call on every idle tick too. */
    public Result tick(long nowMicros) {
        return finish(nowMicros, 0);
    }

    /** Write time of the newest canary seen, on its writer's clock; -1 before any. */
    public long newestWrittenAtMicros() {
        return newestWrittenAtMicros;
    }

    public long highestSeq() {
        return highestSeq;
    }

    /**
     * Lag now in µs at {@code nowMicros}: the last arrival's latency, or, once the next canary is
     * overdue by the source's cadence ({@code expectedEveryMicros} after the newest seen), how long
     * overdue it is, if larger. -1 before anything was seen.
     */
    public long lagNowMicros(long nowMicros, long expectedEveryMicros) {
        long newest = newestWrittenAtMicros;
        long last = lastLatencyMicros;
        if (newest < 0) {
            return last;
        }
        long overdue = nowMicros - (newest + expectedEveryMicros);
        return Math.max(last, overdue);
    }
}
