package io.replag.agent.engine;

import io.replag.agent.spi.ServerTime;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;

/**
 * The lag of one pair, from canaries written in the source and reads in the target. Pure logic:
 * no I/O, no timers, time passed in; single-threaded except the volatile snapshot read by
 * {@link #lagNowMicros(long)} from the metrics thread.
 *
 * <p>Semantics (docs/design.md):
 * <ul>
 *   <li>A canary is known from the moment its write is sent, so that reads sent before the write is
 *   acknowledged (as they are when the source is far away) count; it is written, and counts for
 *   lag, once acknowledged; a failed write forgets it.</li>
 *   <li>A read that returns seq {@code s} proves every canary with seq {@code <= s} arrived; a read
 *   that returns less is a miss for the others. Reads may overlap and answer in any order.</li>
 *   <li>Each arrival's interval holds the true time from commit to visibility: on the servers'
 *   clocks when the store gives them ({@link Arrival.Method#SERVER_CLOCK}), else from the write's
 *   send to the hit's answer, less the write's round trip on the lower side
 *   ({@link Arrival.Method#CLIENT_CLOCK}). The latency reported is its middle.</li>
 *   <li>Lag now is the larger of the last arrival's latency and the age of the oldest written
 *   canary not yet seen. It rises without bound through a stall, and never rises while nothing is
 *   written.</li>
 *   <li>A canary unseen at its deadline is missed: counted once, and never counted as arrived
 *   later, so {@code written = arrived + missed + in flight}. It still holds lag now up until a
 *   read sees it.</li>
 * </ul>
 */
public final class LagTracker {
    private static final long NONE = Long.MIN_VALUE;

    private static final class Pending {
        final long seq;
        final long sentMicros;
        long ackMicros = -1;
        ServerTime writeAt = ServerTime.UNKNOWN;
        long deadlineMicros = Long.MAX_VALUE;
        /** Start of the latest read that did not see it, and that read's server time. */
        long missStartMicros = NONE;
        long missServerMicros = NONE;
        /** Some read of it answered without a server time: the interval falls back to replag's clock. */
        boolean clientOnly;
        /** The first read that saw it: its end, and its server time (-1: none). */
        long hitEndMicros = -1;
        long hitServerMicros = -1;

        Pending(long seq, long sentMicros) {
            this.seq = seq;
            this.sentMicros = sentMicros;
        }

        boolean acked() {
            return ackMicros >= 0;
        }

        boolean seen() {
            return hitEndMicros >= 0;
        }
    }

    /** Canaries sent and not yet both acknowledged and seen, oldest first (few: one write is in flight per source). */
    private final LinkedList<Pending> inFlight = new LinkedList<>();
    /** Missed canaries are kept as a summary only, so a long stall costs no memory. */
    private long missedMaxSeq = 0;
    private long missedOldestWrittenAtMicros = -1;

    private volatile long oldestUnseenWrittenAtMicros = -1;
    private volatile long lastLatencyMicros = -1;

    /** The write of canary {@code seq} is being sent at {@code sentMicros}. */
    public void sent(long seq, long sentMicros) {
        inFlight.addLast(new Pending(seq, sentMicros));
    }

    /**
     * The source acknowledged the write at {@code ackMicros}; {@code writeAt} is when it took effect on
     * the server's clock, if the store says.
     *
     * @return the arrival, if a read had already seen the canary
     */
    public List<Arrival> acked(long seq, long ackMicros, ServerTime writeAt, long deadlineMicros) {
        for (Iterator<Pending> it = inFlight.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.seq == seq) {
                p.ackMicros = ackMicros;
                p.writeAt = writeAt;
                p.deadlineMicros = deadlineMicros;
                List<Arrival> arrivals = List.of();
                if (p.seen()) {
                    it.remove();
                    arrivals = List.of(arrival(p));
                    lastLatencyMicros = arrivals.get(0).latencyMicros();
                }
                refreshOldestUnseen();
                return arrivals;
            }
        }
        return List.of();
    }

    /** The write failed: the canary is forgotten (if it committed after all, a later canary's arrival shows it). */
    public void failed(long seq) {
        inFlight.removeIf(p -> p.seq == seq && !p.acked());
        refreshOldestUnseen();
    }

    /**
     * A read of the target, sent at {@code readStartMicros} and answered at {@code readEndMicros},
     * returned {@code seenSeq} (0 when the target has no canary), at {@code at} on the server's clock.
     *
     * @return the canaries this read proves arrived, oldest first
     */
    public List<Arrival> read(long seenSeq, long readStartMicros, long readEndMicros, ServerTime at) {
        List<Arrival> arrivals = List.of();
        for (Iterator<Pending> it = inFlight.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.seq <= seenSeq) {
                if (!p.seen()) {
                    p.hitEndMicros = readEndMicros;
                    p.hitServerMicros = at.known() ? at.latestMicros() : -1;
                }
                if (p.acked()) {
                    it.remove();
                    if (arrivals.isEmpty()) {
                        arrivals = new ArrayList<>(2);
                    }
                    arrivals.add(arrival(p));
                }
            } else if (!p.seen()) {
                p.missStartMicros = Math.max(p.missStartMicros, readStartMicros);
                if (at.known()) {
                    p.missServerMicros = Math.max(p.missServerMicros, at.earliestMicros());
                } else {
                    p.clientOnly = true;
                }
            }
        }
        if (!arrivals.isEmpty()) {
            lastLatencyMicros = arrivals.get(arrivals.size() - 1).latencyMicros();
        }
        if (missedOldestWrittenAtMicros >= 0 && missedMaxSeq <= seenSeq) {
            missedOldestWrittenAtMicros = -1;
        }
        refreshOldestUnseen();
        return arrivals;
    }

    /** A read without a server time (stores without a server clock, and tests). */
    public List<Arrival> read(long seenSeq, long readStartMicros, long readEndMicros) {
        return read(seenSeq, readStartMicros, readEndMicros, ServerTime.UNKNOWN);
    }

    private static Arrival arrival(Pending p) {
        boolean server = p.writeAt.known() && p.hitServerMicros >= 0 && !p.clientOnly;
        long lower;
        long upper;
        if (server) {
            lower = p.missServerMicros == NONE ? 0 : p.missServerMicros - p.writeAt.latestMicros();
            upper = p.hitServerMicros - p.writeAt.earliestMicros();
        } else {
            // the commit happened between send and acknowledgement; visibility between the last miss's send and the hit's answer
            lower = p.missStartMicros == NONE ? 0 : p.missStartMicros - p.ackMicros;
            upper = p.hitEndMicros - p.sentMicros;
        }
        lower = Math.max(0, lower);
        upper = Math.max(lower, upper);
        return new Arrival(p.seq, p.sentMicros, lower, upper, p.hitEndMicros,
                server ? Arrival.Method.SERVER_CLOCK : Arrival.Method.CLIENT_CLOCK);
    }

    /** Moves written canaries past their deadline to missed. @return how many were newly missed */
    public int expire(long nowMicros) {
        int missed = 0;
        for (Iterator<Pending> it = inFlight.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.acked() && !p.seen() && p.deadlineMicros <= nowMicros) {
                it.remove();
                if (missedOldestWrittenAtMicros < 0) {
                    missedOldestWrittenAtMicros = p.sentMicros;
                }
                missedMaxSeq = Math.max(missedMaxSeq, p.seq);
                missed++;
            }
        }
        if (missed > 0) {
            refreshOldestUnseen();
        }
        return missed;
    }

    /** True while some canary sent or written has not been seen (in flight or missed): keep polling. */
    public boolean hasUnseen() {
        if (missedOldestWrittenAtMicros >= 0) {
            return true;
        }
        for (Pending p : inFlight) {
            if (!p.seen()) {
                return true;
            }
        }
        return false;
    }

    /** When the oldest canary not seen yet (sent, written or missed) was sent; -1 if every one was seen. */
    public long oldestUnseenSentMicros() {
        if (missedOldestWrittenAtMicros >= 0) {
            return missedOldestWrittenAtMicros;
        }
        for (Pending p : inFlight) {
            if (!p.seen()) {
                return p.sentMicros;
            }
        }
        return -1;
    }

    /** The seq of the oldest canary sent and not seen yet (a missed one counts); -1 if every one was seen. */
    public long oldestUnseenSeq() {
        if (missedOldestWrittenAtMicros >= 0) {
            return 0; // older than anything still in flight
        }
        for (Pending p : inFlight) {
            if (!p.seen()) {
                return p.seq;
            }
        }
        return -1;
    }

    /** Written canaries neither seen nor missed yet. */
    public int inFlightCount() {
        int n = 0;
        for (Pending p : inFlight) {
            if (p.acked()) {
                n++;
            }
        }
        return n;
    }

    /** Lag now in µs at {@code nowMicros}, or -1 before anything was written or seen. */
    public long lagNowMicros(long nowMicros) {
        long oldest = oldestUnseenWrittenAtMicros;
        long last = lastLatencyMicros;
        long age = oldest >= 0 ? Math.max(0, nowMicros - oldest) : -1;
        return Math.max(age, last);
    }

    private void refreshOldestUnseen() {
        long oldest = missedOldestWrittenAtMicros;
        if (oldest < 0) {
            for (Pending p : inFlight) {
                if (p.acked() && !p.seen()) {
                    oldest = p.sentMicros;
                    break;
                }
            }
        }
        oldestUnseenWrittenAtMicros = oldest;
    }
}
