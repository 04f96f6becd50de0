package io.replag.agent.engine;

import io.replag.agent.config.Convergence;
import io.replag.agent.config.ReplicationPair;
import io.replag.agent.metrics.ConvergenceMeters;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.Sighting;
import io.replag.agent.spi.StaleSeqException;
import io.replag.agent.spi.StoreOperation;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Do concurrent writers converge? Every {@code convergence.interval}, two regions of a set with a
 * writer in every region write one key of their own ({@code <agent>/convergence}), the second
 * {@link #STAGGER_MICROS} after the first is acknowledged, so the second is the later write by any clock; then every
 * region is read on the set's poll schedule until all show the same value. Rounds take the ordered
 * pairs in turn (each region is the later writer against each other), so a direction that loses
 * what it should replicate is found in the rounds its source should win; a round that diverged is
 * repeated until it converges, so the alert clears once replication is mended.
 *
 * <p>A round ends converged (the time from the later write's send to the read that saw agreement,
 * and whose write won), divergent (every region answered at the deadline and they still disagree),
 * or skipped (no write took, or a region could not be read at the deadline: that is an outage,
 * which the canaries report, not a disagreement). A region whose value changes twice within a round
 * flip-flops: last writer wins changes a region's value at most once. Event-loop only.
 */
final class ConvergenceProbe {
    private static final Logger LOG = LoggerFactory.getLogger(ConvergenceProbe.class);
    /**
     * The second write waits this long after the first is acknowledged: still long before either
     * replicates (a second, on AWS), and long enough that it is the later write by every region's
     * clock (AWS regions agree to a millisecond; the lab times a write at its acknowledgement), so
     * last writer wins picks it, the same way in every repeat of a round.
     */
    static final long STAGGER_MICROS = 50_000;

    private final SetContext ctx;
    private final Convergence conf;
    private final List<String> regions;
    private final List<ReplicationPair> rounds;
    private final ConvergenceMeters meters;
    private final CanaryKey key;
    private final Set<String> needsPrepare = new HashSet<>();
    private int next;
    private long lastSeq;
    private long timer = -1;
    private boolean divergent;

    ConvergenceProbe(SetContext ctx, Convergence conf, List<String> regions) {
        this.ctx = ctx;
        this.conf = conf;
        this.regions = List.copyOf(regions);
        this.rounds = io.replag.agent.config.ReplicationSet.multiWriter(regions);
        this.meters = ctx.metrics.convergence(ctx.set.store(), ctx.set.name(), regions);
        this.key = new CanaryKey(ctx.agent + "/convergence", "all");
    }

    ConvergenceMeters.View view() {
        return meters.view();
    }

    void start() {
        // the first round soon, so that a new agent says something within its first minute
        ctx.loop.execute(() -> schedule(Math.min(conf.intervalMicros(), 10_000_000L)));
    }

    void stop() {
        if (timer >= 0) {
            ctx.loop.cancel(timer);
            timer = -1;
        }
    }

    private void schedule(long delayMicros) {
        if (!ctx.stopped) {
            timer = ctx.loop.schedule(Math.max(0, delayMicros), () -> {
                timer = -1;
                round();
            });
        }
    }

    /** One round: the earlier writer, then the later one as soon as the first is acknowledged. */
    private void round() {
        if (ctx.stopped) {
            return;
        }
        long startMicros = ctx.nowMicros();
        ReplicationPair writers = rounds.get(next % rounds.size());
        // both regions write the same seq: each region's conditional write passes against the previous round's
        long seq = Math.max(lastSeq + 1, startMicros / 1_000);
        lastSeq = seq;
        write(writers.source(), seq).compose(first -> after(STAGGER_MICROS).compose(v -> {
            long secondSentMicros = ctx.nowMicros();
            return write(writers.target(), seq).map(second -> {
                if (!first && !second) {
                    return -1L;
                }
                return second ? secondSentMicros : startMicros;
            });
        })).onComplete(ar -> {
            long from = ar.succeeded() ? ar.result() : -1;
            if (from < 0) {
                end(ConvergenceMeters.Result.SKIPPED, writers, startMicros);
                return;
            }
            new Reads(writers, seq, from, startMicros).readAll();
        });
    }

    private Future<Void> after(long micros) {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        timer = ctx.loop.schedule(micros, () -> {
            timer = -1;
            done.complete();
        });
        return done.future();
    }

    /** True if the write took; false if it failed (a stale seq: the other's write got there first). */
    private Future<Boolean> write(String region, long seq) {
        Canary canary = new Canary(key, seq, ctx.nowMicros(), ctx.clockBound.errorBoundMicros(), ctx.agent + "@" + region, 0, -1);
        Future<Void> prepared = needsPrepare.remove(region)
                ? ctx.call(StoreOperation.CONVERGE, region, () -> ctx.store.prepareWriter(region))
                : Future.succeededFuture();
        return prepared.compose(v -> ctx.call(StoreOperation.CONVERGE, region, () -> ctx.store.write(region, canary)))
                .map(t -> true)
                .otherwise(e -> {
                    if (!(e instanceof StaleSeqException) && FailureReason.of(e, ctx.store).needsPrepare()) {
                        needsPrepare.add(region);
                    }
                    return false;
                });
    }

    /** The reads of one round, until every region shows one value or the deadline passes. */
    private final class Reads {
        private final ReplicationPair writers;
        private final long seq;
        private final long fromMicros;
        private final long roundStartMicros;
        private final Map<String, String> shown = new HashMap<>();
        private final Map<String, Integer> changes = new HashMap<>();
        private long gapMicros;

        Reads(ReplicationPair writers, long seq, long fromMicros, long roundStartMicros) {
            this.writers = writers;
            this.seq = seq;
            this.fromMicros = fromMicros;
            this.roundStartMicros = roundStartMicros;
            this.gapMicros = ctx.set.timing().poll().firstMicros();
        }

        void readAll() {
            if (ctx.stopped) {
                return;
            }
            Map<String, Future<Optional<String>>> reads = new LinkedHashMap<>();
            for (String region : regions) {
                reads.put(region, ctx.call(StoreOperation.CONVERGE, region, () -> ctx.store.read(region, key)).map(this::valueOf));
            }
            Future.join(new ArrayList<>(reads.values())).onComplete(done -> answered(reads));
        }

        /** The writing region of this round's value; empty for an older round's or none. */
        private Optional<String> valueOf(Sighting s) {
            return s.canary().filter(c -> c.seq() == seq).map(c -> c.writer().substring(c.writer().lastIndexOf('@') + 1));
        }

        private void answered(Map<String, Future<Optional<String>>> reads) {
            long now = ctx.nowMicros();
            boolean allAnswered = true;
            for (var e : reads.entrySet()) {
                if (e.getValue().failed()) {
                    allAnswered = false;
                    continue;
                }
                e.getValue().result().ifPresent(value -> {
                    String before = shown.put(e.getKey(), value);
                    if (before != null && !before.equals(value) && changes.merge(e.getKey(), 1, Integer::sum) == 2) {
                        meters.flipFlop(e.getKey());
                        LOG.warn("{}/{} convergence: {} changed its value twice in one round ({} and {} writing)", ctx.set.store(),
                                ctx.set.name(), e.getKey(), writers.source(), writers.target());
                    }
                });
            }
            boolean agree = allAnswered && shown.size() == regions.size() && shown.values().stream().distinct().count() == 1;
            if (agree) {
                meters.converged(Math.max(0, now - fromMicros), shown.values().iterator().next(), now);
                if (divergent) {
                    LOG.info("{}/{} convergence: regions agree again ({} and {} writing)", ctx.set.store(), ctx.set.name(),
                            writers.source(), writers.target());
                }
                divergent = false;
                meters.divergent(false);
                next++;
                ConvergenceProbe.this.schedule(roundStartMicros + conf.intervalMicros() - now);
            } else if (now - fromMicros >= conf.deadlineMicros()) {
                if (allAnswered) {
                    if (!divergent) {
                        LOG.warn("{}/{} convergence: regions still disagree {} after {} and {} wrote one key: {}", ctx.set.store(),
                                ctx.set.name(), conf.deadline(), writers.source(), writers.target(), shown);
                    }
                    divergent = true;
                    meters.divergent(true);
                    meters.disagreement(new java.util.TreeMap<>(shown).toString());
                    end(ConvergenceMeters.Result.DIVERGENT, writers, roundStartMicros);
                } else {
                    end(ConvergenceMeters.Result.SKIPPED, writers, roundStartMicros);
                }
            } else {
                schedule(gapMicros, this::readAll);
                gapMicros = ctx.set.timing().poll().next(gapMicros);
            }
        }

        private void schedule(long delayMicros, Runnable what) {
            if (!ctx.stopped) {
                timer = ctx.loop.schedule(delayMicros, () -> {
                    timer = -1;
                    what.run();
                });
            }
        }
    }

    /** A round that did not converge; a divergent one is repeated with the same writers. */
    private void end(ConvergenceMeters.Result result, ReplicationPair writers, long roundStartMicros) {
        long now = ctx.nowMicros();
        meters.ended(result, now);
        if (result == ConvergenceMeters.Result.SKIPPED) {
            next++;
        }
        schedule(roundStartMicros + conf.intervalMicros() - now);
    }
}
