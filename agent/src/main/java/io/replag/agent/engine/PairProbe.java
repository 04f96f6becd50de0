package io.replag.agent.engine;

import io.replag.agent.config.ReplicationPair;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.ServerTime;
import io.replag.agent.spi.Sighting;
import io.vertx.core.AsyncResult;

/**
 * Polls the target of one pair for the source's canary, adaptively: the first read soon after a
 * write is sent, then further apart, until every written canary is seen or missed. The schedule
 * runs from the moment the write is sent, not from its acknowledgement, and a read does not wait
 * for the one before it to answer (up to {@link TargetReads#MAX_READS_IN_FLIGHT}): so at any distance the
 * reads reach the target at the same moments after the commit as they would next door, and the
 * interval of each arrival, on the servers' clocks, stays as narrow. Once a read fails, reads go
 * one at a time until one works again: a hanging target costs one pending call (after the first
 * few time out), and other pairs never wait for it.
 *
 * <p>The target is also read once an interval when nothing else reads it (the source writes
 * nothing, or everything was seen), so that a dead target shows as down whatever the writer does.
 * The store's native figures for the pair are read beside ({@link NativeFigures}).
 */
final class PairProbe extends TargetReads {
    private final LagTracker tracker = new LagTracker();
    private final long deadlineMicros;

    private long earlyTimer = -1;
    /** The planned write that polling already started for (see {@link #writePlanned}); -1 when none. */
    private long armedForMicros = -1;
    /** A write sent this close to its planned time keeps the polling started for it. */
    private static final long ARMED_SLACK_MICROS = 20_000;

    PairProbe(SetContext ctx, ReplicationPair pair) {
        super(ctx, pair);
        this.deadlineMicros = ctx.set.timing().deadline().toNanos() / 1_000;
    }

    LagTracker tracker() {
        return tracker;
    }

    @Override
    public double lagNowSeconds() {
        long lag = tracker.lagNowMicros(ctx.nowMicros());
        return lag < 0 ? Double.NaN : lag / 1e6;
    }

    @Override
    public void stop() {
        if (earlyTimer >= 0) {
            ctx.loop.cancel(earlyTimer);
            earlyTimer = -1;
        }
        super.stop();
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

    @Override
    protected void pollTick() {
        if (armedForMicros >= 0 && ctx.nowMicros() > armedForMicros + intervalMicros) {
            armedForMicros = -1; // the planned write did not happen
        }
        if (ctx.stopped || !tracker.hasUnseen() && armedForMicros < 0) {
            return;
        }
        readIfRoom();
        gapMicros = poll.next(gapMicros);
        schedulePoll(gapMicros);
    }

    @Override
    protected void answered(AsyncResult<Sighting> ar, long start, long end) {
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
    }
}
