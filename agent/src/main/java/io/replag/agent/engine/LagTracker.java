package io.replag.agent.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The lag of one pair, from canaries written in the source and reads in the target. Pure logic:
 * no I/O, no timers, time passed in; single-threaded except the volatile snapshot read by
 * {@link #lagNowMicros(long)} from the metrics thread.
 *
 * <p>Semantics (docs/design.md):
 * <ul>
 *   <li>A read that returns seq {@code s} proves every canary with seq {@code <= s} arrived.</li>
 *   <li>Lag now is the larger of the last arrival's latency and the age of the oldest canary
 *   not yet seen. It rises without bound through a stall, and never rises while nothing is
 *   written (idle source, or a failing writer: no canary exists to be late).</li>
 *   <li>A canary unseen at its deadline is missed: counted once, and never counted as arrived
 *   later, so {@code written = arrived + missed + in flight}. It still holds lag now up until a
 *   read sees it.</li>
 * </ul>
 */
public final class LagTracker {

    private static final class Pending {
        final long seq;
        final long writtenAtMicros;
        final long deadlineMicros;
        long lastMissStartMicros;

        Pending(long seq, long writtenAtMicros, long deadlineMicros) {
            this.seq = seq;
            this.writtenAtMicros = writtenAtMicros;
            this.deadlineMicros = deadlineMicros;
            this.lastMissStartMicros = writtenAtMicros;
        }
    }

    private final Deque<Pending> inFlight = new ArrayDeque<>();
    /** Missed canaries are kept as a summary only, so a long stall costs no memory. */
    private long missedMaxSeq = 0;
    private long missedOldestWrittenAtMicros = -1;

    private volatile long oldestUnseenWrittenAtMicros = -1;
    private volatile long lastLatencyMicros = -1;
    private long highestSeenSeq = 0;

    /** A canary with this seq was written (the source acknowledged it). */
    public void written(long seq, long writtenAtMicros, long deadlineMicros) {
        if (seq <= highestSeenSeq) {
            return; // already seen in the target, e.g. a read raced the write's acknowledgement
        }
        inFlight.addLast(new Pending(seq, writtenAtMicros, deadlineMicros));
        refreshOldestUnseen();
    }

    /**
     * A read of the target that started at {@code readStartMicros} and answered at
     * {@code readEndMicros} returned {@code seenSeq} (0 when the target has no canary).
     *
     * @return the canaries this read proves arrived, oldest first
     */
    public List<Arrival> read(long seenSeq, long readStartMicros, long readEndMicros) {
        List<Arrival> arrivals = List.of();
        if (seenSeq > highestSeenSeq) {
            highestSeenSeq = seenSeq;
        }
        while (!inFlight.isEmpty() && inFlight.peekFirst().seq <= seenSeq) {
            Pending p = inFlight.pollFirst();
            long lower = Math.max(p.writtenAtMicros, p.lastMissStartMicros);
            long latency = Math.max(0, readEndMicros - p.writtenAtMicros);
            long uncertainty = Math.max(0, readEndMicros - lower);
            if (arrivals.isEmpty()) {
                arrivals = new ArrayList<>(2);
            }
            arrivals.add(new Arrival(p.seq, latency, uncertainty, readEndMicros));
        }
        if (!arrivals.isEmpty()) {
            lastLatencyMicros = arrivals.get(arrivals.size() - 1).latencyMicros();
        }
        if (missedOldestWrittenAtMicros >= 0 && missedMaxSeq <= seenSeq) {
            missedOldestWrittenAtMicros = -1;
        }
        for (Pending p : inFlight) {
            if (readStartMicros > p.lastMissStartMicros) {
                p.lastMissStartMicros = readStartMicros;
            }
        }
        refreshOldestUnseen();
        return arrivals;
    }

    /** Moves canaries past their deadline to missed. @return how many were newly missed */
    public int expire(long nowMicros) {
        int missed = 0;
        while (!inFlight.isEmpty() && inFlight.peekFirst().deadlineMicros <= nowMicros) {
            Pending p = inFlight.pollFirst();
            if (missedOldestWrittenAtMicros < 0) {
                missedOldestWrittenAtMicros = p.writtenAtMicros;
            }
            missedMaxSeq = Math.max(missedMaxSeq, p.seq);
            missed++;
        }
        if (missed > 0) {
            refreshOldestUnseen();
        }
        return missed;
    }

    /** True while some written canary has not been seen (in flight or missed): keep polling. */
    public boolean hasUnseen() {
        return oldestUnseenWrittenAtMicros >= 0;
    }

    public int inFlightCount() {
        return inFlight.size();
    }

    /** Lag now in µs at {@code nowMicros}, or -1 before anything was written or seen. */
    public long lagNowMicros(long nowMicros) {
        long oldest = oldestUnseenWrittenAtMicros;
        long last = lastLatencyMicros;
        long age = oldest >= 0 ? Math.max(0, nowMicros - oldest) : -1;
        return Math.max(age, last);
    }

    private void refreshOldestUnseen() {
        if (missedOldestWrittenAtMicros >= 0) {
            oldestUnseenWrittenAtMicros = missedOldestWrittenAtMicros;
        } else if (!inFlight.isEmpty()) {
            oldestUnseenWrittenAtMicros = inFlight.peekFirst().writtenAtMicros;
        } else {
            oldestUnseenWrittenAtMicros = -1;
        }
    }
}
