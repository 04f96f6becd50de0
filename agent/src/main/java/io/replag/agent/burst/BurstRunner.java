package io.replag.agent.burst;

import io.replag.agent.spi.BurstRecords;
import io.replag.agent.time.EventLoop;
import io.replag.agent.time.WallClock;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs one burst (docs/burst.md): writes the records at the plan's rate into the source, reads
 * each in every target until it is seen or its deadline passes (on the poll period from its
 * write, always once at read-after, then with gaps doubling up to 1 s), then cleans up and
 * reports. All state lives on one {@link EventLoop}; store answers are handed back to it.
 *
 * <p>Lifecycle of a record: written (acknowledged) → read in each target at its due times → seen
 * (its latency bounded by the last read that missed it and the first that saw it), or still
 * missing after the deadline (lost), or unreadable at the deadline three times (unread: the
 * target did not answer, which is not a loss). A write the store throttles is written again.
 */
public final class BurstRunner {
    private static final Logger LOG = LoggerFactory.getLogger(BurstRunner.class);
    static final long TICK_MICROS = 5_000;
    /** Records in flight, as calls: a store without batches (S3) gets more calls, up to the SDK clients' 64 connections. */
    private static final int WRITE_RECORDS_IN_FLIGHT = 3_200;
    private static final int READ_RECORDS_IN_FLIGHT = 1_600;
    private static final int MAX_CALLS_IN_FLIGHT = 64;
    private static final long LATE_MICROS = 50_000;
    private static final long PROGRESS_EVERY_MICROS = 5_000_000;
    private static final int FINAL_READ_ATTEMPTS = 3;

    private final EventLoop loop;
    private final WallClock clock;
    private final BurstRecords store;
    private final BurstPlan plan;
    private final Consumer<String> progress;
    private final List<TargetTally> targets = new ArrayList<>();
    private final Deque<Long> rewrite = new ArrayDeque<>();
    private final Set<String> loggedCauses = new HashSet<>();
    private final Promise<BurstReport> done = Promise.promise();
    private final long readAfter;
    private final long poll;
    private final long deadline;
    private long startMicros;
    private long lastAckMicros;
    private long lastProgressMicros;
    private long nextIndex;
    private int writesInFlight;
    private long written;
    private long writeErrors;
    private long throttled;

    /**
     * @param progress receives a line every 5 s while the burst runs (null: none)
     */
    public BurstRunner(EventLoop loop, WallClock clock, BurstRecords store, BurstPlan plan, Consumer<String> progress) {
        this.loop = loop;
        this.clock = clock;
        this.store = store;
        this.plan = plan;
        this.progress = progress == null ? line -> { } : progress;
        this.readAfter = plan.readAfter().toNanos() / 1000;
        this.poll = plan.poll().toNanos() / 1000;
        this.deadline = plan.deadline().toNanos() / 1000;
        plan.targets().forEach(t -> targets.add(new TargetTally(t, plan.records())));
    }

    /** Starts the burst; completes with its report once every record is resolved and the cleanup has run. */
    public Future<BurstReport> run() {
        loop.execute(() -> {
            startMicros = clock.nowMicros();
            lastProgressMicros = startMicros;
            tick();
        });
        return done.future();
    }

    private void tick() {
        long now = clock.nowMicros();
        issueWrites(now);
        targets.forEach(t -> issueReads(t, now));
        if (now - lastProgressMicros >= PROGRESS_EVERY_MICROS) {
            lastProgressMicros = now;
            progress.accept(progressLine());
        }
        if (writingDone() && targets.stream().allMatch(TargetTally::idle)) {
            finish();
            return;
        }
        loop.schedule(TICK_MICROS, this::tick);
    }

    private boolean writingDone() {
        return nextIndex == plan.records() && rewrite.isEmpty() && writesInFlight == 0;
    }

    private void issueWrites(long now) {
        // the first record at once, then one per 1/rate
        long allowed = Math.min(plan.records(), (long) Math.floor(plan.rate() * (now - startMicros) / 1e6) + 1);
        while (writesInFlight < callsInFlight(WRITE_RECORDS_IN_FLIGHT, store.writeBatch(), 32) && (!rewrite.isEmpty() || nextIndex < allowed)) {
            List<Long> batch = new ArrayList<>();
            while (batch.size() < store.writeBatch() && !rewrite.isEmpty()) {
                batch.add(rewrite.pollFirst());
            }
            while (batch.size() < store.writeBatch() && nextIndex < allowed) {
                batch.add(nextIndex++);
            }
            writesInFlight++;
            long sent = now;
            store.write(plan.source(), plan.run(), batch, sent).onComplete(r -> loop.execute(() -> written(batch, sent, r)));
        }
    }

    private void written(List<Long> batch, long sent, AsyncResult<List<Long>> result) {
        writesInFlight--;
        long ack = clock.nowMicros();
        if (result.failed()) {
            writeErrors += batch.size();
            logOnce("write in " + plan.source(), result.cause());
            return;
        }
        Set<Long> refused = new HashSet<>(result.result());
        throttled += refused.size();
        rewrite.addAll(result.result());
        lastAckMicros = ack;
        long instant = sent + (ack - sent) / 2;
        for (long index : batch) {
            if (refused.contains(index)) {
                continue;
            }
            written++;
            int i = (int) index;
            for (TargetTally t : targets) {
                t.writtenAt[i] = instant;
                t.ackedAt[i] = ack;
                t.schedule(poll > 0 ? Math.min(ack + firstPoll(index), ack + readAfter) : ack + readAfter, index);
            }
        }
    }

    /**
     * The first read of a record, a share of the poll period that differs from record to record
     * (the golden ratio's sequence): on one fixed grid, a delay near a multiple of the period would
     * put every midpoint on the same side of the truth.
     */
    private long firstPoll(long index) {
        double phase = (index * 0.6180339887498949) % 1.0;
        return Math.max(TICK_MICROS, (long) (poll * phase));
    }

    private void issueReads(TargetTally t, long now) {
        while (t.inFlight < callsInFlight(READ_RECORDS_IN_FLIGHT, store.readBatch(), 4)) {
            List<Long> ids = t.takeDue(now, store.readBatch());
            if (ids.isEmpty()) {
                return;
            }
            if (now - t.takenDue > LATE_MICROS) {
                t.lateReads += ids.size();
            }
            t.inFlight++;
            t.readCalls++;
            t.reads += ids.size();
            long sent = now;
            store.read(t.region, plan.run(), ids).onComplete(r -> loop.execute(() -> read(t, ids, sent, r)));
        }
    }

    private void read(TargetTally t, List<Long> ids, long sent, AsyncResult<BurstRecords.Read> result) {
        t.inFlight--;
        long now = clock.nowMicros();
        long instant = sent + (now - sent) / 2;
        if (result.failed()) {
            t.readErrors++;
            logOnce("read in " + t.region, result.cause());
            ids.forEach(id -> next(t, id, sent, now, true));
            return;
        }
        Set<Long> visible = new HashSet<>(result.result().visible());
        Set<Long> unanswered = new HashSet<>(result.result().unanswered());
        for (long id : ids) {
            int i = (int) id;
            if (unanswered.contains(id)) {
                t.reads--;
                t.schedule(now + TICK_MICROS, id);
                continue;
            }
            boolean seen = visible.contains(id);
            long readAfterAt = t.ackedAt[i] + readAfter;
            if (t.atReadAfter[i] == 0) {
                if (seen && sent <= readAfterAt) {
                    t.atReadAfter[i] = 1; // seen by then, so visible at read-after
                } else if (sent >= readAfterAt) {
                    t.atReadAfter[i] = (byte) (seen ? 1 : 2);
                    if (sent > readAfterAt + LATE_MICROS) {
                        t.lateReadAfterReads++;
                    }
                }
            }
            if (seen) {
                t.seenAt[i] = instant;
            } else {
                t.lastMissAt[i] = instant;
                next(t, id, sent, now, false);
            }
        }
    }

    private static int callsInFlight(int records, int batch, int atLeast) {
        return Math.min(MAX_CALLS_IN_FLIGHT, Math.max(atLeast, records / batch));
    }

    /** Schedules a record's next read after one that missed it (or failed). */
    private void next(TargetTally t, long id, long sent, long now, boolean failed) {
        int i = (int) id;
        long ack = t.ackedAt[i];
        long readAfterAt = ack + readAfter;
        long deadlineAt = ack + deadline;
        if (sent >= deadlineAt) {
            if (failed && ++t.finalFailures[i] < FINAL_READ_ATTEMPTS) {
                t.schedule(now + 1_000_000, id);
            }
            // else resolved: lost, or unread after three failed attempts; the report tells them apart
            return;
        }
        long next;
        if (sent < readAfterAt) {
            next = poll > 0 ? Math.min(sent + poll, readAfterAt) : readAfterAt;
        } else {
            long first = Math.max(poll, BurstPlan.FIRST_REREAD_GAP.toNanos() / 1000);
            long gap = Math.min(Math.max(first, sent - readAfterAt), BurstPlan.MAX_REREAD_GAP.toNanos() / 1000);
            next = sent + gap;
        }
        t.schedule(Math.max(Math.min(next, deadlineAt), now), id);
    }

    private void logOnce(String where, Throwable cause) {
        String key = where + ": " + cause.getClass().getSimpleName();
        if (loggedCauses.add(key)) {
            LOG.warn("burst {} failed ({}); further failures of this kind are counted, not logged", where, cause.toString());
        }
    }

    private String progressLine() {
        StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT, "burst: written %d/%d", written, plan.records()));
        for (TargetTally t : targets) {
            long seen = Arrays.stream(t.seenAt).filter(s -> s != TargetTally.NONE).count();
            line.append(String.format(java.util.Locale.ROOT, ", %s seen %d", t.region, seen));
        }
        return line.toString();
    }

    private void finish() {
        List<BurstReport.Target> results = targets.stream().map(this::result).toList();
        double writeSeconds = written == 0 ? 0 : (lastAckMicros - startMicros) / 1e6;
        store.cleanup(plan.source(), plan.run(), plan.records())
                .recover(e -> {
                    LOG.warn("burst cleanup in {} failed: {}", plan.source(), e.toString());
                    return Future.succeededFuture("failed (" + e.getClass().getSimpleName() + "): the run's records stay under " + plan.run().prefix());
                })
                .onComplete(cleanup -> done.complete(new BurstReport(plan, written, writeErrors, throttled, writeSeconds, results, cleanup.result())));
    }

    private BurstReport.Target result(TargetTally t) {
        long expected = 0;
        long atReadAfter = 0;
        long unread = 0;
        long[] latencies = new long[t.writtenAt.length];
        int arrived = 0;
        for (int i = 0; i < t.writtenAt.length; i++) {
            if (t.writtenAt[i] == TargetTally.NONE) {
                continue;
            }
            expected++;
            if (t.atReadAfter[i] == 1) {
                atReadAfter++;
            }
            if (t.seenAt[i] != TargetTally.NONE) {
                long lower = t.lastMissAt[i] != TargetTally.NONE ? t.lastMissAt[i] : t.writtenAt[i];
                long estimate = poll > 0 ? lower + (t.seenAt[i] - lower) / 2 : t.seenAt[i];
                latencies[arrived++] = Math.max(0, estimate - t.writtenAt[i]);
            } else if (t.finalFailures[i] >= FINAL_READ_ATTEMPTS) {
                unread++;
            }
        }
        long[] sorted = Arrays.copyOf(latencies, arrived);
        Arrays.sort(sorted);
        long lost = expected - arrived - unread;
        return new BurstReport.Target(t.region, expected, atReadAfter, lost, unread, arrived,
                quantile(sorted, 0.5), quantile(sorted, 0.99), arrived == 0 ? Double.NaN : sorted[arrived - 1] / 1e6,
                poll > 0 ? "midpoint" : "at most", t.reads, t.readCalls, t.readErrors, t.lateReadAfterReads, t.lateReads);
    }

    /** Nearest rank, in seconds; NaN when empty. */
    static double quantile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }
}
