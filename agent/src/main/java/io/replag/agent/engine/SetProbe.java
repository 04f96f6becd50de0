package io.replag.agent.engine;

import io.replag.agent.clock.ClockBound;
import io.replag.agent.metrics.EndpointHealth;
import io.replag.agent.config.ReplicationPair;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.metrics.ReplagMetrics;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.time.EventLoop;
import io.replag.agent.time.WallClock;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/** The writers and pair probes of one replication set. */
public final class SetProbe implements SetView {
    private final SetContext ctx;
    private final List<SourceWriter> writers = new ArrayList<>();
    private final List<PairReader> pairs = new ArrayList<>();
    private final ConvergenceProbe convergence;
    private long idleReads = -1;

    public SetProbe(ReplicationSet set, CanaryStore store, EventLoop loop, WallClock clock,
                    ReplagMetrics metrics, String agent) {
        this(set, store, loop, clock, metrics, agent, ArrivalListener.NONE);
    }

    public SetProbe(ReplicationSet set, CanaryStore store, EventLoop loop, WallClock clock,
                    ReplagMetrics metrics, String agent, ArrivalListener arrivals) {
        this(set, store, loop, clock, metrics, agent, arrivals, null, ClockBound.fixed(0));
    }

    /**
     * @param localRegion where this agent runs in per-region mode: it writes only that region's
     *                    canaries and reads only in that region, the pairs into it; null for
     *                    single-process mode (every writer, every pair)
     * @param clockBound  this agent's clock error bound
     */
    public SetProbe(ReplicationSet set, CanaryStore store, EventLoop loop, WallClock clock,
                    ReplagMetrics metrics, String agent, ArrivalListener arrivals, String localRegion, ClockBound clockBound) {
        this.ctx = new SetContext(set, store, loop, clock, metrics, agent, arrivals, localRegion, clockBound);
        metrics.probeInterval(set.store(), set.name(), set.timing().interval());
        List<PairProbe> local = new ArrayList<>();
        for (ReplicationPair pair : set.pairs()) {
            if (localRegion == null) {
                PairProbe probe = new PairProbe(ctx, pair);
                local.add(probe);
                pairs.add(probe);
            } else if (pair.target().equals(localRegion)) {
                pairs.add(new RemotePairProbe(ctx, pair));
            }
        }
        long seed = (agent + "/" + set.name()).hashCode();
        for (String source : set.sourceRegions()) {
            if (localRegion == null || source.equals(localRegion)) {
                List<PairProbe> fromSource = local.stream().filter(p -> p.pair().source().equals(source)).toList();
                writers.add(new SourceWriter(ctx, source, fromSource, seed++));
            } else {
                seed++;
            }
        }
        // every region must replicate to every other for one value to reach them all; the probe needs all regions, so one process
        List<String> sources = set.sourceRegions();
        boolean everyPair = sources.size() >= 2 && set.pairs().size() == sources.size() * (sources.size() - 1);
        this.convergence = set.timing().convergence().filter(c -> localRegion == null && everyPair)
                .map(c -> new ConvergenceProbe(ctx, c, sources)).orElse(null);
    }

    @Override
    public ReplicationSet set() {
        return ctx.set;
    }

    public void start() {
        pairs.forEach(PairReader::start);
        writers.forEach(SourceWriter::start);
        if (convergence != null) {
            convergence.start();
        }
        ctx.loop.execute(this::scheduleIdleReads);
    }

    /** One timer per set and interval reads every target nothing else read: a dead replica shows whatever the writer does. */
    private void scheduleIdleReads() {
        if (!ctx.stopped) {
            idleReads = ctx.loop.schedule(ctx.set.timing().interval().toNanos() / 1_000, () -> {
                idleReads = -1;
                pairs.forEach(PairReader::readIfIdle);
                scheduleIdleReads();
            });
        }
    }

    /**
     * Stops writing and polling. Canaries still in flight are dropped, not counted as missed:
     * a shutdown is not a replication failure. Then closes the store.
     */
    public Future<Void> stop() {
        ctx.stopped = true;
        ctx.loop.execute(() -> {
            writers.forEach(SourceWriter::stop);
            pairs.forEach(PairReader::stop);
            if (convergence != null) {
                convergence.stop();
            }
            if (idleReads >= 0) {
                ctx.loop.cancel(idleReads);
            }
        });
        return ctx.store.close();
    }

    /** True once every source made its first write attempt and every pair with something to read read once. */
    public boolean firstRoundDone() {
        for (SourceWriter w : writers) {
            if (!w.firstWriteAttempted()) {
                return false;
            }
        }
        for (PairReader p : pairs) {
            boolean written = writers.stream().filter(w -> w.region().equals(p.pair().source())).findFirst()
                    .map(SourceWriter::anyWriteSucceeded).orElse(true);
            if (written && !p.firstReadDone()) {
                return false;
            }
        }
        return true;
    }

    /**
     * What region health and the status page need of a pair: its direction, its lag now (NaN
     * before any data), and the store's own figures (lag, and stopped 1/0 where the store says).
     */
    public record PairView(String store, String resource, String source, String target, java.util.function.DoubleSupplier lagSeconds,
                           java.util.function.DoubleSupplier uncertaintySeconds,
                           java.util.function.Supplier<java.util.Map<String, Double>> nativeLagSeconds,
                           java.util.function.Supplier<java.util.Map<String, Double>> nativeStopped,
                           java.util.function.DoubleSupplier targetDataTimestampSeconds) {
    }

    @Override
    public List<PairView> pairViews() {
        return pairs.stream().map(p -> new PairView(ctx.set.store(), ctx.set.name(), p.pair().source(), p.pair().target(),
                p::lagNowSeconds, p.meters()::uncertaintySeconds, p.meters()::nativeLagSnapshot, p.meters()::nativeStoppedSnapshot,
                p.meters()::targetDataTimestampSeconds)).toList();
    }

    /**
     * A source writes nothing when its last acknowledged canary is older than this: three intervals,
     * and never less than 3 s, so that one slow or failed write does not count.
     */
    @Override
    public double writerStaleAfterSeconds() {
        return Math.max(3.0, 3 * ctx.set.timing().interval().toNanos() / 1e9);
    }

    /**
     * Seconds since the region's writer last had a canary acknowledged (since it started, if never);
     * NaN for a region that writes no canary in this set. Above {@link #writerStaleAfterSeconds()},
     * the pairs from it measure nothing new: their lag is frozen, not fine.
     */
    @Override
    public double writerSilentSeconds(String region) {
        for (SourceWriter w : writers) {
            if (w.region().equals(region)) {
                long last = w.lastWrittenMicros();
                return last < 0 ? Double.NaN : Math.max(0, ctx.nowMicros() - last) / 1e6;
            }
        }
        return Double.NaN;
    }

    /** Unix time of the region writer's last acknowledged canary; NaN if none yet or not a writing region. */
    @Override
    public double lastWrittenSeconds(String region) {
        for (SourceWriter w : writers) {
            if (w.region().equals(region) && w.anyWriteSucceeded()) {
                return w.lastWrittenMicros() / 1e6;
            }
        }
        return Double.NaN;
    }

    @Override
    public java.util.Optional<io.replag.agent.metrics.ConvergenceMeters.View> convergence() {
        return convergence == null ? java.util.Optional.empty() : java.util.Optional.of(convergence.view());
    }

    /** The store's own replication status of the newest canary written in the region (S3); empty when none is known. */
    @Override
    public String replicationStatus(String region) {
        return writers.stream().filter(w -> w.region().equals(region)).findFirst().map(SourceWriter::replicationStatus).orElse("");
    }

    /** The last failure of a canary or native call to the region's endpoint; empty if none. */
    @Override
    public String endpointLastError(String region) {
        EndpointHealth h = ctx.existingHealth(region);
        return h == null ? "" : h.lastError();
    }

    /** 1 if the last canary call to the region's endpoint worked, 0 if it failed, NaN before any call. */
    @Override
    public double endpointUp(String region) {
        EndpointHealth h = ctx.existingHealth(region);
        return h == null ? Double.NaN : h.up();
    }

    /** Lag now of one pair in seconds (NaN before any data), for tests and the status page. */
    public double lagNowSeconds(String source, String target) {
        return pairs.stream().filter(p -> p.pair().equals(new ReplicationPair(source, target)))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no pair " + source + " -> " + target))
                .lagNowSeconds();
    }
}
