package io.replag.agent.engine;

import io.replag.agent.spi.Reason;
import io.replag.agent.spi.StoreOperation;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.StaleSeqException;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;

/**
 * Writes one source region's canaries at the set's interval and hands each acknowledged canary
 * to the pollers of that source's pairs.
 *
 * <p>Before the first write it prepares the region and reads the canary back from the source,
 * so that seq continues above the last one written by an earlier run: a restart never looks like
 * a missed canary or a lag spike. One write is in flight at a time; a slow write delays the next
 * one rather than piling up, and the cadence resumes from the planned schedule without bursting.
 */
final class SourceWriter {
    private enum State { PREPARING, READING_BACK, WRITING }

    private final SetContext ctx;
    private final String region;
    private final CanaryKey key;
    private final List<PairProbe> pairs;
    private final SplittableRandom random;
    private final long intervalMicros;

    private State state = State.PREPARING;
    private long nextSeq;
    private long plannedMicros;
    /** When the next write should run (planned time plus jitter); -1 outside the writing state. */
    private long dueMicros = -1;
    private final Timer scheduleDelay;
    private long timer = -1;
    /** Sets the replication-status gauges; null when the store reports no status. */
    private final java.util.function.Consumer<String> replicationStatus;
    private long statusTimer = -1;
    private volatile String lastStatus = "";
    private volatile boolean firstWriteAttempted;
    private volatile boolean anyWriteSucceeded;
    /** When the last write was acknowledged, or when the writer started if none was; on the engine's wall clock. */
    private volatile long lastWrittenMicros = -1;
    /** The last canary acknowledged and when it had certainly committed: stamped on the next one in per-region mode. */
    private long lastCommittedSeq;
    private long lastCommittedMicros = -1;

    SourceWriter(SetContext ctx, String region, List<PairProbe> pairs, long seed) {
        this.ctx = ctx;
        this.region = region;
        this.key = new CanaryKey(ctx.agent, region);
        this.pairs = pairs;
        this.random = new SplittableRandom(seed);
        this.intervalMicros = ctx.set.timing().interval().toNanos() / 1_000;
        this.scheduleDelay = ctx.metrics.writeScheduleDelay(ctx.set.store(), ctx.set.name(), region);
        ctx.metrics.writerLastSuccess(ctx.set.store(), ctx.set.name(), region,
                () -> lastWrittenMicros < 0 ? Double.NaN : lastWrittenMicros / 1e6);
        this.replicationStatus = ctx.store.reportsReplicationStatus()
                ? ctx.metrics.replicationStatus(ctx.set.store(), ctx.set.name(), region, ctx.store.replicationStatuses()) : null;
    }

    void start() {
        lastWrittenMicros = ctx.nowMicros();
        ctx.loop.execute(this::step);
    }

    /** When a canary was last acknowledged here (or the writer started, if none yet), µs. */
    long lastWrittenMicros() {
        return lastWrittenMicros;
    }

    void stop() {
        if (timer >= 0) {
            ctx.loop.cancel(timer);
            timer = -1;
        }
        if (statusTimer >= 0) {
            ctx.loop.cancel(statusTimer);
            statusTimer = -1;
        }
    }

    String region() {
        return region;
    }

    /** The last replication status the store reported for this source's newest canary; empty when unknown. */
    String replicationStatus() {
        return lastStatus;
    }

    boolean firstWriteAttempted() {
        return firstWriteAttempted;
    }

    boolean anyWriteSucceeded() {
        return anyWriteSucceeded;
    }

    private void step() {
        timer = -1;
        if (ctx.stopped) {
            return;
        }
        switch (state) {
            case PREPARING -> ctx.call(StoreOperation.PREPARE, region, () -> ctx.store.prepareWriter(region))
                    .onSuccess(v -> state = State.READING_BACK)
                    .onComplete(ar -> after(ar.succeeded() ? 0 : intervalMicros));
            case READING_BACK -> ctx.call(StoreOperation.READ, region, () -> ctx.store.read(region, key))
                    .onSuccess(seen -> continueAfter(seen.canary()))
                    .onComplete(ar -> after(ar.succeeded() ? 0 : intervalMicros));
            case WRITING -> write();
        }
    }

    private void continueAfter(Optional<Canary> existing) {
        nextSeq = existing.map(Canary::seq).orElse(0L) + 1;
        plannedMicros = ctx.nowMicros();
        state = State.WRITING;
    }

    private void write() {
        if (dueMicros >= 0) {
            scheduleDelay.record(Math.max(0, ctx.nowMicros() - dueMicros), TimeUnit.MICROSECONDS);
        }
        long now = ctx.nowMicros();
        // per-region mode: the agents that read it never see this write's answer, so the record says what they need
        Canary canary = ctx.perRegion()
                ? new Canary(key, nextSeq++, now, ctx.clockBound.errorBoundMicros(), ctx.writerId(), lastCommittedSeq, lastCommittedMicros)
                : new Canary(key, nextSeq++, now);
        for (PairProbe pair : pairs) {
            pair.sending(canary);
        }
        ctx.call(StoreOperation.WRITE, region, () -> ctx.store.write(region, canary))
                .onSuccess(writeAt -> {
                    if (replicationStatus != null && !anyWriteSucceeded) {
                        scheduleStatus();
                    }
                    anyWriteSucceeded = true;
                    long ack = ctx.nowMicros();
                    lastWrittenMicros = ack;
                    lastCommittedSeq = canary.seq();
                    // on the clock the record's time is on: the server's reading after the commit, else the acknowledgement
                    lastCommittedMicros = writeAt.known() ? writeAt.latestMicros() : ack;
                    for (PairProbe pair : pairs) {
                        pair.written(canary, ack, writeAt);
                    }
                })
                .onFailure(e -> {
                    for (PairProbe pair : pairs) {
                        pair.notWritten(canary);
                    }
                    if (e instanceof StaleSeqException) {
                        state = State.READING_BACK;
                    } else if (ctx.store.errorReason(e).map(Reason::needsPrepare).orElse(false)) {
                        state = State.PREPARING;
                    }
                })
                .onComplete(ar -> {
                    firstWriteAttempted = true;
                    scheduleNextWrite();
                });
    }

    private void scheduleNextWrite() {
        long now = ctx.nowMicros();
        plannedMicros += intervalMicros;
        if (plannedMicros < now - intervalMicros) {
            plannedMicros = now; // fell far behind (a hanging write): resume the cadence, do not burst
        }
        double jitter = ctx.set.timing().jitter();
        long offset = jitter > 0 ? (long) ((random.nextDouble() * 2 - 1) * jitter * intervalMicros) : 0;
        dueMicros = Math.max(now, plannedMicros + offset);
        for (PairProbe pair : pairs) {
            pair.writePlanned(dueMicros, nextSeq);
        }
        after(dueMicros - now);
    }

    /** Reads the store's own replication status of the newest canary at the native interval, once writes succeed. */
    private void scheduleStatus() {
        if (!ctx.stopped) {
            statusTimer = ctx.loop.schedule(ctx.set.timing().nativeInterval().toNanos() / 1_000, this::readStatus);
        }
    }

    private void readStatus() {
        statusTimer = -1;
        if (ctx.stopped) {
            return;
        }
        ctx.call(StoreOperation.STATUS, region, () -> ctx.store.readReplicationStatus(region, key))
                .onSuccess(status -> {
                    replicationStatus.accept(status.orElse(null));
                    lastStatus = status.orElse("");
                })
                .onFailure(e -> {
                    replicationStatus.accept(null);
                    lastStatus = "";
                })
                .onComplete(ar -> scheduleStatus());
    }

    private void after(long delayMicros) {
        if (!ctx.stopped) {
            timer = ctx.loop.schedule(delayMicros, this::step);
        }
    }
}
