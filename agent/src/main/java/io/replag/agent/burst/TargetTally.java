package io.replag.agent.burst;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * One target region's view of a burst: per record, when it was written, when it was last missed
 * and first seen, and whether the read at read-after saw it; and the reads still to make, by due
 * time. Engine-loop state: one thread, no locks.
 */
final class TargetTally {
    static final long NONE = Long.MIN_VALUE;

    final String region;
    /** The write's instant (midpoint of send and acknowledgement), µs; NONE: not written. */
    final long[] writtenAt;
    final long[] ackedAt;
    final long[] lastMissAt;
    final long[] seenAt;
    /** 1: the read at read-after (or one before it) saw the record; 2: it did not. */
    final byte[] atReadAfter;
    /** Failed final reads per record, so that an unreachable target is "unread", never "lost". */
    final byte[] finalFailures;
    /** Reads to make: due time (µs) to records. */
    final TreeMap<Long, List<Long>> due = new TreeMap<>();
    int inFlight;
    long reads;
    long readCalls;
    long readErrors;
    long lateReadAfterReads;
    /** Records read more than 50 ms after their time: the client, not replication, set their latency. */
    long lateReads;
    /** The earliest due time of the records {@link #takeDue} took last. */
    long takenDue;

    TargetTally(String region, long records) {
        this.region = region;
        int n = Math.toIntExact(records);
        writtenAt = new long[n];
        ackedAt = new long[n];
        lastMissAt = new long[n];
        seenAt = new long[n];
        Arrays.fill(writtenAt, NONE);
        Arrays.fill(lastMissAt, NONE);
        Arrays.fill(seenAt, NONE);
        atReadAfter = new byte[n];
        finalFailures = new byte[n];
    }

    void schedule(long dueMicros, long index) {
        due.computeIfAbsent(dueMicros, k -> new ArrayList<>()).add(index);
    }

    /** Takes up to {@code max} records due by {@code now}, the earliest first. */
    List<Long> takeDue(long now, int max) {
        List<Long> out = new ArrayList<>();
        takenDue = due.isEmpty() ? now : due.firstKey();
        while (out.size() < max && !due.isEmpty() && due.firstKey() <= now) {
            var first = due.firstEntry();
            List<Long> ids = first.getValue();
            int take = Math.min(max - out.size(), ids.size());
            out.addAll(ids.subList(0, take));
            if (take == ids.size()) {
                due.pollFirstEntry();
            } else {
                ids.subList(0, take).clear();
            }
        }
        return out;
    }

    boolean idle() {
        return due.isEmpty() && inFlight == 0;
    }
}
