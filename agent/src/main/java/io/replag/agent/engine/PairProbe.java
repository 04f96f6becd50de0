package io.replag.agent.engine;

import io.replag.agent.config.PollSchedule;
import io.replag.agent.config.ReplicationPair;
import io.replag.agent.metrics.PairMeters;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.ServerTime;
import io.replag.agent.spi.Sighting;
import io.vertx.core.Future;

import java.util.List;

/**
 * Polls the target of one pair for the source's canary, adaptively: the first read soon after a
 * write is sent, then further apart, until every written canary is seen or missed. The schedule
 * runs from the moment the write is sent, not from its acknowledgement, and a read does not wait
 * for the one before it to answer (up to {@link #MAX_READS_IN_FLIGHT}): so at any distance the
 * reads reach the target at the same moments after the commit as they would next door, and the
 * interval of each arrival, on the servers' clocks, stays as narrow. Once a read fails, reads go
 * one at a time until one works again: a hanging target costs one pending call (after the first
 * few time out), and other pairs never wait for it.
 *
 * <p>The target is also read once an interval when nothing else reads it (the source writes
 * nothing, or everything was seen), so that a dead target shows as down whatever the writer does.
 * The store's native figures for the pair are read beside ({@link NativeFigures}).
 */
final class PairProbe implements PairReader {
    /** Reads of one pair in flight at once: at a 300 ms round trip the default schedule has about 7. */
    static final int MAX_READS_IN_FLIGHT = 8;

    private final SetContext ctx;
    private final ReplicationPair pair;
    private final CanaryKey key;
    private final LagTracker tracker = new LagTracker();
    private final PairMeters meters;
    private final NativeFigures natives;
    private final PollSchedule poll;
    private final long deadlineMicros;
    private final long intervalMicros;

    private long gapMicros;
    private long pollTimer = -1;
    private long earlyTimer = -1;
    private int readsInFlight;
    private boolean lastReadFailed;
    private long lastReadStartMicros = Long.MIN_VALUE;
    /** The planned write that polling already started for (see {@link #writePlanned}); -1 when none. */
    private long armedForMicros = -1;
    /** A write sent this close to its planned time keeps the polling started for it. */
    private static final long ARMED_SLACK_MICROS = 20_000;
    private volatile boolean firstReadDone;

    PairProbe(SetContext ctx, ReplicationPair pair) {
        this.ctx = ctx;
        this.pair = pair;
        this.key = new CanaryKey(ctx.agent, pair.source());
        this.poll = ctx.set.timing().poll();
        this.deadlineMicros = ctx.set.timing().deadline().toNanos() / 1_000;
        this.intervalMicros = ctx.set.timing().interval().toNanos() / 1_000;
        this.meters = ctx.metrics.pair(ctx.set.store(), ctx.set.name(), pair.source(), pair.target());
        this.natives = new NativeFigures(ctx, pair, meters);
        meters.lagNow(this::lagNowSeconds);
        ctx.health(pair.target());
    }

    @Override
    public ReplicationPair pair() {
        return pair;
    }

    LagTracker tracker() {
        return tracker;
    }

    @Override
    public PairMeters meters() {
        return meters;
    }

    @Override
    public boolean firstReadDone() {
        return firstReadDone;
    }

    @Override
    public double lagNowSeconds() {
        long lag = tracker.lagNowMicros(ctx.nowMicros());
        return lag < 0 ? Double.NaN : lag / 1e6;
    }

    @Override
    public void start() {
        natives.start();
    }

    @Override
    public void stop() {
        for (long timer : new long[] {pollTimer, earlyTimer}) {
            if (timer >= 0) {
                ctx.loop.cancel(timer);
            }
        }
        pollTimer = earlyTimer = -1;
        natives.stop();
    }

    /**
     * How much later than the source the target sees a moment: the commit happens one way after
     * the write is sent, and a read acts one way after it is sent, so reads sent this much after
     * the write land at the same time after the commit as the schedule says. Negative when the
     * target is further away than the source.
     */
    private long aimMicros() {
        return ctx.oneWayMicros(pair.source()) - ctx.oneWayMicros(pair.target());
    }

    /**
     * The source plans its next write for {@code dueMicros}. When the target is so much further
     * away than the source that reads sent after the write would land too late to see the early
     * part of the schedule, polling starts before the write is sent.
     */
    void writePlanned(long dueMicros) {
        long firstRead = dueMicros + aimMicros() + poll.firstMicros();
        if (earlyTimer >= 0) {
            ctx.loop.cancel(earlyTimer);
            earlyTimer = -1;
        }
        if (firstRead < dueMicros && !ctx.stopped) {
            // the schedule for this write starts then; until then, the current canary's goes on
            earlyTimer = ctx.loop.schedule(Math.max(0, firstRead - ctx.nowMicros()), () -> {
                earlyTimer = -1;
                armedForMicros = dueMicros;
                gapMicros = poll.firstMicros();
                schedulePoll(0);
            });
        }
    }

    /** The source is sending {@code canary}: poll for it on the schedule, aimed at its commit as the target sees it. */
    void sending(Canary canary) {
        tracker.sent(canary.seq(), canary.writtenAtMicros());
        boolean armed = armedForMicros >= 0 && Math.abs(canary.writtenAtMicros() - armedForMicros) <= ARMED_SLACK_MICROS;
        armedForMicros = -1;
        if (!armed) {
            gapMicros = poll.firstMicros();
            schedulePoll(Math.max(0, aimMicros()) + gapMicros);
        }
    }

    /** The source acknowledged the write of {@code canary} at {@code ackMicros}. */
    void written(Canary canary, long ackMicros, ServerTime writeAt) {
        meters.written(canary.writtenAtMicros());
        record(tracker.acked(canary.seq(), ackMicros, writeAt, canary.writtenAtMicros() + deadlineMicros));
    }

    /** The write of {@code canary} failed. */
    void notWritten(Canary canary) {
        tracker.failed(canary.seq());
    }

    private void schedulePoll(long delayMicros) {
        if (pollTimer >= 0) {
            ctx.loop.cancel(pollTimer);
        }
        pollTimer = ctx.stopped ? -1 : ctx.loop.schedule(delayMicros, this::pollTick);
    }

    private void pollTick() {
        pollTimer = -1;
        if (armedForMicros >= 0 && ctx.nowMicros() > armedForMicros + intervalMicros) {
            armedForMicros = -1; // the planned write did not happen
        }
        if (ctx.stopped || !tracker.hasUnseen() && armedForMicros < 0) {
            return;
        }
        // overlapping reads help only a target that answers: one that fails or hangs is read one at a time
        if (readsInFlight < (lastReadFailed ? 1 : MAX_READS_IN_FLIGHT)) {
            read();
        }
        gapMicros = poll.next(gapMicros);
        schedulePoll(gapMicros);
    }

    /**
     * Called once an interval (one timer per set, not per pair): reads the target if nothing else
     * did, so that the target's health never depends on the writer.
     */
    @Override
    public void readIfIdle() {
        if (!ctx.stopped && readsInFlight == 0 && ctx.nowMicros() - lastReadStartMicros >= intervalMicros) {
            read();
        }
    }

    private void read() {
        readsInFlight++;
        long start = ctx.nowMicros();
        lastReadStartMicros = start;
        ctx.call("read", pair.target(), () -> ctx.store.read(pair.target(), key)).onComplete(ar -> {
            readsInFlight--;
            firstReadDone = true;
            long end = ctx.nowMicros();
            lastReadFailed = ar.failed();
            if (ar.succeeded()) {
                Sighting seen = ar.result();
                meters.targetData(seen.canary().map(Canary::writtenAtMicros).orElse(-1L));
                record(tracker.read(seen.seq(), start, end, seen.at()));
            }
            int missed = tracker.expire(end);
            if (missed > 0) {
                meters.missed(missed);
            }
            if (!tracker.hasUnseen() && armedForMicros < 0 && pollTimer >= 0) {
                ctx.loop.cancel(pollTimer);
                pollTimer = -1;
            }
        });
    }

    private void record(List<Arrival> arrivals) {
        for (Arrival a : arrivals) {
            meters.arrived(a.latencyMicros(), a.uncertaintyMicros(), a.seenAtMicros(), a.method().label());
            ctx.arrivals.arrived(ctx.set, pair, a);
        }
    }

}
