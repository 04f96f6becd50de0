package io.replag.agent.engine;

import io.replag.agent.spi.StoreOperation;
import io.replag.agent.config.ReplicationPair;
import io.replag.agent.metrics.PairMeters;
import io.vertx.core.Future;

/**
 * Reads the store's own lag figures for one pair (and its operation counts, where the store has
 * them) at the set's native interval, beside the canaries. Event-loop only.
 */
final class NativeFigures {
    private final SetContext ctx;
    private final ReplicationPair pair;
    private final PairMeters meters;
    private long timer = -1;

    NativeFigures(SetContext ctx, ReplicationPair pair, PairMeters meters) {
        this.ctx = ctx;
        this.pair = pair;
        this.meters = meters;
    }

    void start() {
        ctx.loop.execute(() -> schedule(0));
    }

    void stop() {
        if (timer >= 0) {
            ctx.loop.cancel(timer);
            timer = -1;
        }
    }

    private void schedule(long delayMicros) {
        if (!ctx.stopped) {
            timer = ctx.loop.schedule(delayMicros, this::read);
        }
    }

    private void read() {
        timer = -1;
        if (ctx.stopped) {
            return;
        }
        ctx.call(StoreOperation.NATIVE, pair.target(), () -> ctx.store.readNativeLag(pair.source(), pair.target()))
                .onSuccess(meters::nativeLags)
                // an old figure must not pass for a current one
                .onFailure(e -> meters.nativeLagUnknown())
                // a second call only for stores that count operations (S3): one timer and promise less per pair otherwise
                .compose(v -> ctx.store.reportsNativeOperations()
                        ? ctx.call(StoreOperation.NATIVE, pair.target(), () -> ctx.store.readNativeOperations(pair.source(), pair.target()))
                                .onSuccess(meters::nativeOperations)
                                .onFailure(e -> meters.nativeOperations(java.util.Map.of()))
                                .<Void>mapEmpty()
                        : Future.<Void>succeededFuture())
                .onComplete(ar -> schedule(ctx.set.timing().nativeInterval().toNanos() / 1_000));
    }
}
