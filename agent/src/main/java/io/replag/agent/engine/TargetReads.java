package io.replag.agent.engine;

import io.replag.agent.spi.StoreOperation;
import io.replag.agent.config.PollSchedule;
import io.replag.agent.config.ReplicationPair;
import io.replag.agent.metrics.PairMeters;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.Sighting;
import io.vertx.core.AsyncResult;

import java.util.List;

/**
 * What both ways of reading a pair's target share: the pair's meters and native figures, the poll
 * timer, reads that may overlap (up to {@link #MAX_READS_IN_FLIGHT}, one at a time after a failure,
 * so a hanging target costs one pending call), the once-an-interval idle read, and handing each
 * arrival to the meters and the listener. Subclasses decide when to read and what a read means.
 */
abstract class TargetReads implements PairReader {
    /** Reads of one pair in flight at once: at a 300 ms round trip the default schedule has about 7. */
    static final int MAX_READS_IN_FLIGHT = 8;

    protected final SetContext ctx;
    protected final ReplicationPair pair;
    protected final CanaryKey key;
    protected final PairMeters meters;
    protected final PollSchedule poll;
    protected final long intervalMicros;
    private final NativeFigures natives;
    private final io.replag.agent.metrics.EndpointHealth targetHealth;

    protected long gapMicros;
    protected long pollTimer = -1;
    /** When the poll timer in force fires (µs); meaningful while {@code pollTimer >= 0}. */
    protected long pollDueMicros;
    private int readsInFlight;
    private boolean lastReadFailed;
    private long lastReadStartMicros = Long.MIN_VALUE;
    private volatile boolean firstReadDone;

    TargetReads(SetContext ctx, ReplicationPair pair) {
        this.ctx = ctx;
        this.pair = pair;
        this.key = new CanaryKey(ctx.agent, pair.source());
        this.poll = ctx.set.timing().poll();
        this.intervalMicros = ctx.set.timing().interval().toNanos() / 1_000;
        this.meters = ctx.metrics.pair(ctx.set.store(), ctx.set.name(), pair.source(), pair.target());
        this.natives = new NativeFigures(ctx, pair, meters);
        meters.lagNow(this::lagNowSeconds);
        this.targetHealth = ctx.health(pair.target());
    }

    @Override
    public ReplicationPair pair() {
        return pair;
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
    public void start() {
        natives.start();
    }

    @Override
    public void stop() {
        if (pollTimer >= 0) {
            ctx.loop.cancel(pollTimer);
            pollTimer = -1;
        }
        natives.stop();
    }

    /** Once an interval (one timer per set): reads the target if nothing else did, so its health never depends on the writer. */
    @Override
    public void readIfIdle() {
        if (!ctx.stopped && readsInFlight == 0 && ctx.nowMicros() - lastReadStartMicros >= intervalMicros) {
            read();
        }
    }

    protected void schedulePoll(long delayMicros) {
        if (pollTimer >= 0) {
            ctx.loop.cancel(pollTimer);
        }
        pollDueMicros = ctx.nowMicros() + delayMicros;
        pollTimer = ctx.stopped ? -1 : ctx.loop.schedule(delayMicros, () -> {
            pollTimer = -1;
            if (!ctx.stopped) {
                pollTick();
            }
        });
    }

    /** The poll timer fired. */
    protected abstract void pollTick();

    /** Reads now unless as many reads as allowed are in flight; overlapping helps only a target that answers. */
    protected void readIfRoom() {
        if (readsInFlight < (lastReadFailed ? 1 : MAX_READS_IN_FLIGHT)) {
            read();
        }
    }

    private void read() {
        readsInFlight++;
        long start = ctx.nowMicros();
        long previous = lastReadStartMicros;
        lastReadStartMicros = start;
        ctx.call(StoreOperation.READ, pair.target(), targetHealth, start, () -> ctx.store.read(pair.target(), key)).onComplete(ar -> {
            readsInFlight--;
            firstReadDone = true;
            lastReadFailed = ar.failed();
            answered(ar, start, ctx.nowMicros(), previous);
        });
    }

    /**
     * A read sent at {@code startMicros} answered (or failed) at {@code endMicros}; the read before
     * it was sent at {@code previousStartMicros} ({@link Long#MIN_VALUE}: none).
     */
    protected abstract void answered(AsyncResult<Sighting> read, long startMicros, long endMicros, long previousStartMicros);

    protected void record(List<Arrival> arrivals) {
        for (Arrival a : arrivals) {
            meters.arrived(a.latencyMicros(), a.uncertaintyMicros(), a.seenAtMicros(), a.method().label());
            ctx.arrivals.arrived(ctx.set, pair, a);
        }
    }
}
