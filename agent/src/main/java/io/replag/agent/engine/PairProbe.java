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

    /** The adaptive schedule's planned reads: when (µs) to the seq of the canary each is for. */
    private final java.util.TreeMap<Long, Long> planned = new java.util.TreeMap<>();
    /** Canaries with an adaptive plan, by seq. */
    private final java.util.TreeMap<Long, ArrivalForecast.Plan> plans = new java.util.TreeMap<>();
    private final ArrivalForecast forecast = new ArrivalForecast();
    /** Canaries the geometric schedule started for at their write (not planned: warming up, or after a surprise), until seen. */
    private final java.util.TreeSet<Long> fromWrite = new java.util.TreeSet<>();
    /** The fallback's longest gap: {@code poll.max}, or longer for a pair whose canaries take long. */
    private long fallbackMaxMicros;

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
     * The source plans its next write, of canary {@code seq}, for {@code dueMicros}. When the target
     * is so much further away than the source that reads sent after the write would land too late
     * to see the early part of the schedule, polling starts before the write is sent: the canary's
     * plan is made now, or (without a forecast yet) the geometric schedule starts early.
     */
    void writePlanned(long dueMicros, long seq) {
        long firstRead = dueMicros + aimMicros() + poll.firstMicros();
        if (earlyTimer >= 0) {
            ctx.loop.cancel(earlyTimer);
            earlyTimer = -1;
        }
        if (poll.adaptive() && forecast.ready()) {
            planBeforeWrite(dueMicros, seq);
            return;
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

    /**
     * The plan of a canary whose first reads must leave before its write (a target further than the
     * source), made when the write is planned. The geometric schedule started before each write
     * instead cost such a target two reads a canary more than a plan does, and ten a second through
     * a stall; during a stall nothing is planned.
     */
    private void planBeforeWrite(long dueMicros, long seq) {
        if (aimMicros() >= 0) {
            return; // reads sent after the write act after it: sending() plans it
        }
        long now = ctx.nowMicros();
        ArrivalForecast.Plan plan = forecast.plan(dueMicros, poll.precisionMicros(), poll.firstMicros());
        if (aimMicros() + plan.readsMicros()[0] >= 0 || stalled(now, plan) || ctx.stopped) {
            return; // its reads leave after the write: sending() plans it
        }
        planned.values().removeIf(s -> s == seq);
        follow(seq, plan, now);
        armedForMicros = dueMicros;
        nextPlanned(now);
    }

    /** The source is sending {@code canary}: poll for it on the schedule, aimed at its commit as the target sees it. */
    void sending(Canary canary) {
        tracker.sent(canary.seq(), canary.writtenAtMicros());
        if (poll.adaptive() && planAround(canary)) {
            armedForMicros = -1;
            return;
        }
        planned.clear();
        plans.clear();
        boolean armed = armedForMicros >= 0 && Math.abs(canary.writtenAtMicros() - armedForMicros) <= ARMED_SLACK_MICROS;
        armedForMicros = -1;
        fromWrite.add(canary.seq()); // started at its write, or just before it for a far target (armed)
        if (!armed) {
            gapMicros = poll.firstMicros();
            schedulePoll(Math.max(0, aimMicros()) + gapMicros);
        }
    }

    /**
     * The adaptive schedule: once a few canaries have arrived, reads for this one go where the
     * newest one landed, across the window the recent forecast errors say it will land in
     * ({@link ArrivalForecast}), then on the geometric schedule from the window's spacing if it is
     * later (its gaps reach {@code poll.max}). The plan is made again whenever an arrival teaches
     * something new before the plan's first read, so a canary is aimed with the freshest latency
     * (at a 1 s delay and interval, its predecessor arrives about when it is written). While an
     * older canary is overdue (a stall), a write adds no reads: the pair is read at most once per
     * {@code poll.max}, and lag now (the oldest unseen canary's age) rises as it always does. False
     * where there is no forecast yet: the geometric schedule then runs from the write.
     */
    private boolean planAround(Canary canary) {
        if (!forecast.ready()) {
            return false;
        }
        ArrivalForecast.Plan before = plans.get(canary.seq());
        if (before != null) {
            if (Math.abs(before.sentMicros() - canary.writtenAtMicros()) <= ARMED_SLACK_MICROS) {
                return true; // planned before its write, which came as planned
            }
            planned.values().removeIf(s -> s == canary.seq());
            plans.remove(canary.seq());
        }
        long now = ctx.nowMicros();
        long oldest = tracker.oldestUnseenSentMicros();
        ArrivalForecast.Plan plan = forecast.plan(canary.writtenAtMicros(), poll.precisionMicros(), poll.firstMicros());
        if (oldest >= 0 && oldest < canary.writtenAtMicros() && stalled(now, plan)) {
            return true; // a stall: the fallback already runs for the oldest
        }
        follow(canary.seq(), plan, now);
        nextPlanned(now);
        return true;
    }

    /** The oldest unseen canary is later than a plan like {@code plan} allows: a stall, not a late canary. */
    private boolean stalled(long now, ArrivalForecast.Plan plan) {
        long oldest = tracker.oldestUnseenSentMicros();
        return oldest >= 0 && now > oldest + aimMicros() + plan.overdueMicros();
    }

    private void follow(long seq, ArrivalForecast.Plan plan, long now) {
        for (long at : plan.readTimes(plan.sentMicros() + aimMicros(), now)) {
            while (planned.containsKey(at)) {
                at++;
            }
            planned.put(at, seq);
        }
        plans.put(seq, plan);
        // past the window, the first fallback read waits for the window's answers: from a far target they are still on their way
        gapMicros = Math.max(plan.spacingMicros(), 2 * ctx.oneWayMicros(pair.target()));
        // a late canary of a slow pair is read as often, relative to its delay, as one of a fast pair
        fallbackMaxMicros = Math.max(poll.maxMicros(), plan.expectedMicros() / 10);
    }

    /** Plans not begun yet are made again with what the arrivals just taught. */
    private void replan() {
        long now = ctx.nowMicros();
        boolean changed = false;
        for (var e : plans.entrySet()) {
            ArrivalForecast.Plan old = e.getValue();
            if (old.sentMicros() + aimMicros() + old.readsMicros()[0] <= now) {
                continue; // begun: its reads so far were spaced for it
            }
            long seq = e.getKey();
            planned.values().removeIf(s -> s == seq);
            follow(seq, forecast.plan(old.sentMicros(), poll.precisionMicros(), poll.firstMicros()), now);
            changed = true;
        }
        if (changed) {
            nextPlanned(now);
        }
    }

    /** Polls at the next planned read if there is one before the timer in force (an older canary's fallback read keeps its time). */
    private void nextPlanned(long now) {
        if (!planned.isEmpty() && (pollTimer < 0 || planned.firstKey() < pollDueMicros)) {
            schedulePoll(Math.max(0, planned.firstKey() - now));
        }
    }

    private void learn(java.util.List<Arrival> arrivals) {
        if (arrivals.isEmpty() || !poll.adaptive()) {
            return;
        }
        boolean news = false;
        for (Arrival a : arrivals) {
            ArrivalForecast.Plan plan = plans.remove(a.seq());
            news |= forecast.arrived(a.seq(), a.lowerMicros(), a.upperMicros(), plan, fromWrite.remove(a.seq()));
        }
        if (news) {
            replan();
        }
    }

    /** The source acknowledged the write of {@code canary} at {@code ackMicros}. */
    void written(Canary canary, long ackMicros, ServerTime writeAt) {
        meters.written(canary.writtenAtMicros());
        java.util.List<Arrival> arrivals = tracker.acked(canary.seq(), ackMicros, writeAt, canary.writtenAtMicros() + deadlineMicros);
        learn(arrivals);
        record(arrivals);
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
        long now = ctx.nowMicros();
        planned.headMap(now, true).clear(); // this read is the planned one, if it was
        readIfRoom();
        if (ctx.stopped || !tracker.hasUnseen() && armedForMicros < 0) {
            return; // the read answered at once and saw everything
        }
        long next;
        long oldestUnseen = tracker.oldestUnseenSeq();
        if (!planned.isEmpty() && (oldestUnseen < 0 || planned.firstEntry().getValue() <= oldestUnseen)) {
            next = planned.firstKey(); // the oldest unseen canary still has planned reads, or the next one has them before its write
        } else {
            // the oldest unseen canary is past its planned reads (or has none): geometric, until a planned read comes first
            long longest = plans.isEmpty() ? poll.maxMicros() : Math.max(poll.maxMicros(), fallbackMaxMicros);
            gapMicros = poll.next(gapMicros, longest);
            next = planned.isEmpty() ? now + gapMicros : Math.min(now + gapMicros, planned.firstKey());
        }
        if (pollTimer < 0 || next < pollDueMicros) {
            schedulePoll(Math.max(0, next - now));
        }
    }

    @Override
    protected void answered(AsyncResult<Sighting> ar, long start, long end, long previousStart) {
        if (ar.succeeded()) {
            Sighting seen = ar.result();
            meters.targetData(seen.canary().map(Canary::writtenAtMicros).orElse(-1L));
            java.util.List<Arrival> arrivals = tracker.read(seen.seq(), start, end, seen.at());
            if (previousStart != Long.MIN_VALUE && !arrivals.isEmpty()) {
                Arrival newest = arrivals.get(arrivals.size() - 1);
                forecast.widened(newest.uncertaintyMicros() - (start - previousStart), start - previousStart);
            }
            learn(arrivals);
            record(arrivals);
            // reads planned for canaries this one has shown arrived are not needed
            planned.values().removeIf(seq -> seq <= seen.seq());
            plans.headMap(seen.seq(), true).clear();
            fromWrite.headSet(seen.seq(), true).clear();
        }
        int missed = tracker.expire(end);
        if (missed > 0) {
            meters.missed(missed);
        }
        if (!tracker.hasUnseen() && armedForMicros < 0 && pollTimer >= 0) {
            ctx.loop.cancel(pollTimer);
            pollTimer = -1;
            planned.clear();
            plans.clear();
            fromWrite.clear();
        } else if (ar.succeeded() && !planned.isEmpty() && planned.firstEntry().getValue() <= tracker.oldestUnseenSeq()) {
            // everything older was seen: the oldest unseen canary is on its plan again, no fallback read is needed
            schedulePoll(Math.max(0, planned.firstKey() - ctx.nowMicros()));
        }
    }
}
