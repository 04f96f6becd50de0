package io.replag.agent.engine;

import io.replag.agent.config.PollSchedule;
import io.replag.agent.config.ReplicationPair;
import io.replag.agent.metrics.PairMeters;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.vertx.core.Future;

import java.util.List;

/**
 * Polls the target of one pair for the source's canary, adaptively: the first read soon after a
 * write, then further apart, until every written canary is seen or missed. One read is in flight
 * at a time, so a hanging target costs one pending call, and other pairs never wait for it.
 * Also reads the store's native lag figure for the pair at its own interval.
 */
final class PairProbe {
    private final SetContext ctx;
    private final ReplicationPair pair;
    private final CanaryKey key;
    private final LagTracker tracker = new LagTracker();
    private final PairMeters meters;
    private final PollSchedule poll;
    private final long deadlineMicros;

    private long gapMicros;
    private long pollTimer = -1;
    private long nativeTimer = -1;
    private boolean reading;
    private volatile boolean firstReadDone;

    PairProbe(SetContext ctx, ReplicationPair pair) {
        this.ctx = ctx;
        this.pair = pair;
        this.key = new CanaryKey(ctx.agent, pair.source());
        this.poll = ctx.set.timing().poll();
        this.deadlineMicros = ctx.set.timing().deadline().toNanos() / 1_000;
        this.meters = ctx.metrics.pair(ctx.set.store(), ctx.set.name(), pair.source(), pair.target());
        meters.lagNow(this::lagNowSeconds);
        ctx.health(pair.target());
    }

    ReplicationPair pair() {
        return pair;
    }

    LagTracker tracker() {
        return tracker;
    }

    PairMeters meters() {
        return meters;
    }

    boolean firstReadDone() {
        return firstReadDone;
    }

    double lagNowSeconds() {
        long lag = tracker.lagNowMicros(ctx.nowMicros());
        return lag < 0 ? Double.NaN : lag / 1e6;
    }

    void start() {
        ctx.loop.execute(() -> scheduleNative(0));
    }

    void stop() {
        if (pollTimer >= 0) {
            ctx.loop.cancel(pollTimer);
            pollTimer = -1;
        }
        if (nativeTimer >= 0) {
            ctx.loop.cancel(nativeTimer);
            nativeTimer = -1;
        }
    }

    /** The source acknowledged {@code canary}: start polling for it soon. */
    void written(Canary canary) {
        meters.written(canary.writtenAtMicros());
        tracker.written(canary.seq(), canary.writtenAtMicros(), canary.writtenAtMicros() + deadlineMicros);
        gapMicros = poll.firstMicros();
        if (!reading) {
            schedulePoll(gapMicros);
        }
    }

    private void schedulePoll(long delayMicros) {
        if (pollTimer >= 0) {
            ctx.loop.cancel(pollTimer);
        }
        pollTimer = ctx.loop.schedule(delayMicros, this::read);
    }

    private void read() {
        pollTimer = -1;
        if (ctx.stopped) {
            return;
        }
        reading = true;
        long start = ctx.nowMicros();
        ctx.call("read", pair.target(), () -> ctx.store.read(pair.target(), key)).onComplete(ar -> {
            reading = false;
            firstReadDone = true;
            long end = ctx.nowMicros();
            if (ar.succeeded()) {
                long seen = ar.result().map(Canary::seq).orElse(0L);
                List<Arrival> arrivals = tracker.read(seen, start, end);
                for (Arrival a : arrivals) {
                    meters.arrived(a.latencyMicros(), a.uncertaintyMicros(), a.seenAtMicros());
                    ctx.arrivals.arrived(ctx.set, pair, a);
                }
            }
            int missed = tracker.expire(end);
            if (missed > 0) {
                meters.missed(missed);
            }
            if (tracker.hasUnseen() && !ctx.stopped) {
                gapMicros = poll.next(gapMicros);
                schedulePoll(gapMicros);
            }
        });
    }

    private void scheduleNative(long delayMicros) {
        if (!ctx.stopped) {
            nativeTimer = ctx.loop.schedule(delayMicros, this::readNative);
        }
    }

    private void readNative() {
        nativeTimer = -1;
        if (ctx.stopped) {
            return;
        }
        ctx.call("native", pair.target(), () -> ctx.store.readNativeLag(pair.source(), pair.target()))
                .onSuccess(meters::nativeLags)
                // an old figure must not pass for a current one
                .onFailure(e -> meters.nativeLagUnknown())
                // a second call only for stores that count operations (S3): one timer and promise less per pair otherwise
                .compose(v -> ctx.store.reportsNativeOperations()
                        ? ctx.call("native", pair.target(), () -> ctx.store.readNativeOperations(pair.source(), pair.target()))
                                .onSuccess(meters::nativeOperations)
                                .onFailure(e -> meters.nativeOperations(java.util.Map.of()))
                                .<Void>mapEmpty()
                        : Future.<Void>succeededFuture())
                .onComplete(ar -> scheduleNative(ctx.set.timing().nativeInterval().toNanos() / 1_000));
    }
}
