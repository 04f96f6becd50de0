package io.replag.agent.engine;

import io.replag.agent.config.ReplicationPair;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.Sighting;
import io.vertx.core.AsyncResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one pair's target for canaries another agent writes (per-region mode: this agent runs in
 * the target region, so every read is local). It cannot know when the next canary is written, so
 * it reads by the source's cadence: from the earliest moment each next one may be sent (the newest
 * seen, plus the interval less its jitter, then every interval), at gaps growing from
 * {@code poll.first}, as a local writer's reads would; and once an interval when nothing else reads. Each arrival's interval comes from
 * {@link RemoteLagTracker}, with both agents' clock error bounds in it. With {@code poll.precision} (the
 * default), once the pair's canaries have shown where they land, the next one is read on a plan
 * instead ({@link ArrivalForecast}): around its expected write (the newest seen plus an interval)
 * plus the expected latency, the writer's jitter in the forecast's spread; past the plan, the
 * geometric fallback; once a canary is overdue by the plan's stall bound (a stall, or a writer gone),
 * the pair is read at most once per {@code poll.max} until a newer canary shows.
 *
 * <p>What it cannot know, it does not pretend: canaries written is the advance of the seq it sees,
 * and a canary is missed when none newer than the last has shown by the deadline of the one the
 * cadence promised (one per interval after that).
 */
final class RemotePairProbe extends TargetReads {
    private static final Logger LOG = LoggerFactory.getLogger(RemotePairProbe.class);

    private final RemoteLagTracker tracker;
    private final long earliestNextMicros;
    private final long deadlineMicros;

    private long missedSinceNewest;
    /** The adaptive schedule (poll.precision): where the next canary will land, from where the last ones did. */
    private final ArrivalForecast forecast = new ArrivalForecast();
    /** The plan for canary {@link #planSeq} (null: none; the cadence's geometric schedule reads). */
    private ArrivalForecast.Plan plan;
    private long planSeq = -1;
    /** The plan's reads not yet made (µs on this agent's clock). */
    private final java.util.TreeSet<Long> planned = new java.util.TreeSet<>();
    /** The start of the latest read that showed nothing newer than the highest seq: a miss for the next canary. */
    private long missStartMicros = Long.MIN_VALUE;
    /** When the next canary may be sent by the source's cadence: polling starts again from there; -1 before any seen. */
    private long nextWriteMicros = -1;
    /**
     * A planned canary was overdue by its plan's stall bound, and nothing newer has shown since: the
     * pair is read at most once per {@code poll.max}, not from every write the cadence promises.
     */
    private boolean stalled;
    private boolean anomalyLogged;

    RemotePairProbe(SetContext ctx, ReplicationPair pair) {
        super(ctx, pair);
        this.earliestNextMicros = (long) (intervalMicros * (1 - ctx.set.timing().jitter()));
        this.deadlineMicros = ctx.set.timing().deadline().toNanos() / 1_000;
        this.tracker = new RemoteLagTracker(ctx.clockBound.errorBoundMicros(), ctx.set.timing().requestTimeout().toNanos() / 1_000);
    }

    @Override
    public double lagNowSeconds() {
        long lag = tracker.lagNowMicros(ctx.nowMicros(), (long) (intervalMicros * (1 + ctx.set.timing().jitter())));
        return lag < 0 ? Double.NaN : lag / 1e6;
    }

    @Override
    public void start() {
        super.start();
        ctx.loop.execute(() -> {
            gapMicros = poll.maxMicros();
            schedulePoll(0);
        });
    }

    @Override
    public void readIfIdle() {
        super.readIfIdle();
        record(tracker.tick(ctx.nowMicros()));
        countMissed();
    }

    @Override
    protected void pollTick() {
        readIfRoom();
        long now = ctx.nowMicros();
        if (plan != null) {
            planned.headSet(now, true).clear(); // this read was the planned one, if it was
            if (now <= plan.sentMicros() + plan.overdueMicros()) {
                // on the plan: its next read, or past the window the geometric fallback from the window's gap
                long next;
                if (!planned.isEmpty()) {
                    next = planned.first();
                } else {
                    // a late canary of a slow pair is read as often, relative to its delay, as one of a fast pair
                    gapMicros = poll.next(gapMicros, Math.max(poll.maxMicros(), plan.expectedMicros() / 10));
                    next = now + gapMicros;
                }
                keepCadence(now); // for when the plan is dropped
                schedulePoll(Math.max(0, next - now));
                return;
            }
            // the planned canary is a stall's: read at most once per poll.max until a newer one shows, which plans the next, its
            // spread widened (the cadence's reads from every promised write cost ten reads a second through a stall)
            dropPlan();
            stalled = true;
        }
        if (stalled) {
            keepCadence(now);
            gapMicros = poll.next(gapMicros);
            schedulePoll(gapMicros);
            return;
        }
        if (nextWriteMicros >= 0 && now >= nextWriteMicros) {
            // another canary is due by the cadence: read it as closely as the last, as a local writer's reads would
            gapMicros = poll.firstMicros();
            keepCadence(now);
        } else {
            gapMicros = poll.next(gapMicros);
        }
        schedulePoll(Math.min(gapMicros, nextWriteMicros >= 0 ? Math.max(0, nextWriteMicros - now) : gapMicros));
    }

    @Override
    protected void answered(AsyncResult<Sighting> ar, long start, long end, long previousStart) {
        if (ar.failed()) {
            return;
        }
        Sighting seen = ar.result();
        Canary canary = seen.canary().orElse(null);
        long before = tracker.highestSeq();
        RemoteLagTracker.Result result = tracker.read(canary, start, end, seen.at());
        boolean newer = canary != null && tracker.highestSeq() > before;
        if (newer) {
            stalled = false;
        }
        if (newer && before > 0 && poll.adaptive()) {
            learn(canary, start, end, before);
        }
        missStartMicros = newer ? start : Math.max(missStartMicros, start);
        if (canary != null) {
            meters.targetData(canary.writtenAtMicros());
        }
        if (result.newCanaries() > 0) {
            meters.written(canary.writtenAtMicros(), result.newCanaries());
            missedSinceNewest = 0;
            if (tracker.highestSeq() > before) {
                // the next canary can be sent from its earliest planned moment on: poll from there, and so on each interval
                long next = canary.writtenAtMicros() + earliestNextMicros;
                while (next < ctx.nowMicros() - intervalMicros) {
                    next += intervalMicros;
                }
                if (next > nextWriteMicros) {
                    nextWriteMicros = next;
                    if (plan == null) {
                        gapMicros = poll.firstMicros();
                        schedulePoll(Math.max(0, next - ctx.nowMicros()));
                    }
                }
            }
        }
        record(result);
    }

    /**
     * Canary {@code canary}, newer than {@code before}, was seen by the read sent at {@code start}
     * and answered at {@code end}: it teaches the forecast when it came (on this agent's clock
     * against its writer's: both clocks' offsets are in every latency it learns and every one it
     * expects, so they cancel), and the next canary is planned where it will land, from the
     * cadence's expected write. Only for the schedule, never for the interval exported, which
     * {@link RemoteLagTracker} bounds with both clocks' error bounds.
     */
    private void learn(Canary canary, long start, long end, long before) {
        long lower = missStartMicros == Long.MIN_VALUE ? 0 : Math.max(0, missStartMicros - canary.writtenAtMicros());
        long upper = Math.max(lower, end - canary.writtenAtMicros());
        ArrivalForecast.Plan used = planSeq == canary.seq() ? plan : null;
        // read on the cadence's schedule from its earliest write, and not after skipped ones (a stall's end): one to learn from
        boolean fromCadence = used == null && canary.seq() == before + 1;
        forecast.arrived(canary.seq(), lower, upper, used, fromCadence, used == null ? 0 : canary.writtenAtMicros() - used.sentMicros());
        dropPlan();
        if (!forecast.ready()) {
            return;
        }
        long now = ctx.nowMicros();
        plan = forecast.plan(canary.writtenAtMicros() + intervalMicros, poll.precisionMicros(), poll.firstMicros());
        planSeq = canary.seq() + 1;
        for (long at : plan.readTimes(plan.sentMicros(), now)) {
            planned.add(at);
        }
        gapMicros = plan.spacingMicros();
        schedulePoll(Math.max(0, planned.first() - now));
    }

    /** The cadence keeps count of the writes it promises while nothing reads by it: the next one after {@code now}. */
    private void keepCadence(long now) {
        while (nextWriteMicros >= 0 && nextWriteMicros <= now) {
            nextWriteMicros += intervalMicros;
        }
    }

    private void dropPlan() {
        plan = null;
        planSeq = -1;
        planned.clear();
    }

    private void record(RemoteLagTracker.Result result) {
        record(result.arrivals());
        if (result.anomalies() > 0) {
            meters.clockAnomalies(result.anomalies());
            if (!anomalyLogged) {
                anomalyLogged = true;
                LOG.warn("{}/{} {}->{}: a canary seen before it was written by the clocks' bounds: the clocks are worse than their "
                        + "error bounds (replag_clock_anomalies_total counts them; this is said once)", ctx.set.store(), ctx.set.name(),
                        pair.source(), pair.target());
            }
        }
    }

    /** One canary missed per interval that passes the deadline of the one the cadence promised. */
    private void countMissed() {
        long newest = tracker.newestWrittenAtMicros();
        if (newest < 0) {
            return;
        }
        long late = ctx.nowMicros() - (newest + intervalMicros + deadlineMicros);
        if (late >= 0) {
            long missed = late / intervalMicros + 1;
            if (missed > missedSinceNewest) {
                meters.missed((int) (missed - missedSinceNewest));
                missedSinceNewest = missed;
            }
        }
    }
}
