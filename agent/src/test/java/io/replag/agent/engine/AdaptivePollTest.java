package io.replag.agent.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.PollSchedule;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.memory.InMemoryCanaryStore;
import io.replag.agent.metrics.ReplagMetrics;
import io.replag.agent.time.VirtualTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The adaptive poll schedule (the default, poll.precision) against the geometric one, on one steady link, in virtual time. */
class AdaptivePollTest {
    static final String US = "us-east-1", EU = "eu-west-1";

    record Run(InMemoryCanaryStore store, List<Arrival> arrivals, SetProbe probe, VirtualTime time) {
        double readsPerCanary() {
            return store.reads() / (double) arrivals.size();
        }

        long medianUncertaintyMicros() {
            List<Long> u = new ArrayList<>(arrivals.stream().map(Arrival::uncertaintyMicros).toList());
            u.sort(Long::compare);
            return u.get(u.size() / 2);
        }
    }

    static Run run(PollSchedule poll, long delayMicros, Duration seconds) {
        return run(poll, delayMicros, seconds, 0);
    }

    /** As {@link #run(PollSchedule, long, Duration)}, every call to the target taking {@code targetCallMicros} (a target further than the source). */
    static Run run(PollSchedule poll, long delayMicros, Duration seconds, long targetCallMicros) {
        VirtualTime time = new VirtualTime(1_700_000_000_000_000L);
        InMemoryCanaryStore store = new InMemoryCanaryStore(time, time);
        store.delay(US, EU, delayMicros);
        if (targetCallMicros > 0) {
            store.callLatency(EU, () -> targetCallMicros);
        }
        ProbeTiming timing = ProbeTiming.builder().jitter(0).poll(poll).build();
        ReplicationSet set = new ReplicationSet("orders", "memory", Map.of(US, new Endpoint("a", 1), EU, new Endpoint("b", 1)),
                ReplicationSet.singleWriter(US, List.of(EU)), timing, null);
        List<Arrival> arrivals = new ArrayList<>();
        SetProbe probe = new SetProbe(set, store, time, time, new ReplagMetrics(new SimpleMeterRegistry()), "agent-1",
                (s, p, a) -> arrivals.add(a));
        probe.start();
        time.advance(seconds);
        return new Run(store, arrivals, probe, time);
    }

    @Test
    void onASteadySecondItReadsWhereTheLastCanaryLandedFewerTimesAndMorePrecisely() {
        Run geometric = run(PollSchedule.GEOMETRIC, 1_000_000, Duration.ofSeconds(120));
        Run adaptive = run(PollSchedule.DEFAULT, 1_000_000, Duration.ofSeconds(120));
        System.out.printf("AdaptivePollTest: 1 s link: geometric %.2f reads/canary, median uncertainty %d ms; adaptive %.2f, %d ms%n",
                geometric.readsPerCanary(), geometric.medianUncertaintyMicros() / 1000, adaptive.readsPerCanary(),
                adaptive.medianUncertaintyMicros() / 1000);
        assertThat(adaptive.arrivals()).hasSizeGreaterThanOrEqualTo(geometric.arrivals().size() - 1);
        assertThat(adaptive.readsPerCanary()).isLessThan(geometric.readsPerCanary() / 2);
        assertThat(adaptive.medianUncertaintyMicros()).isLessThanOrEqualTo(50_000).isLessThan(geometric.medianUncertaintyMicros());
        assertThat(adaptive.arrivals()).allMatch(a -> a.lowerMicros() <= 1_000_000 && a.upperMicros() >= 1_000_000 - 5_000);
    }

    @ParameterizedTest(name = "target calls {0} µs")
    @ValueSource(longs = {0, 80_000})
    void aStallIsReadAtMostOncePerPollMaxAndLagRisesAsBefore(long targetCallMicros) {
        // a target further than the source (80 ms round trips) starts polling before each write: never through a stall
        Run adaptive = run(PollSchedule.DEFAULT, 1_000_000, Duration.ofSeconds(60), targetCallMicros);
        adaptive.store().pause(US, EU);
        long readsBefore = adaptive.store().reads();
        adaptive.time().advance(Duration.ofSeconds(5));
        long recognised = adaptive.store().reads();
        adaptive.time().advance(Duration.ofSeconds(25));
        long stallReads = adaptive.store().reads() - readsBefore;
        assertThat(adaptive.store().reads() - recognised).as("once the stall is recognised, one read per poll.max (1 s)")
                .isLessThanOrEqualTo(25 + 1);
        double lag = adaptive.probe().lagNowSeconds(US, EU);
        System.out.printf("AdaptivePollTest: 30 s stall, target calls %d µs: %d reads, lag now %.1f s%n", targetCallMicros, stallReads, lag);
        assertThat(stallReads).as("at most one read per poll.max (1 s), plus the backoff's first steps").isLessThanOrEqualTo(30 + 15); // the backoff from 50 ms to 1 s takes ~11 reads
        assertThat(lag).isGreaterThan(29);
        adaptive.store().resume(US, EU);
        int before = adaptive.arrivals().size();
        adaptive.time().advance(Duration.ofSeconds(5));
        assertThat(adaptive.arrivals().size()).as("every canary of the stall arrives after it").isGreaterThan(before);
    }

    @Test
    void itAdaptsWithinAFewCanariesWhenTheDelayStepsUpAndBackDown() {
        Run adaptive = run(PollSchedule.DEFAULT, 50_000, Duration.ofSeconds(30));
        for (long delay : new long[]{3_000_000, 50_000}) {
            adaptive.store().delay(US, EU, delay);
            int from = adaptive.arrivals().size();
            adaptive.time().advance(Duration.ofSeconds(30));
            List<Arrival> after = adaptive.arrivals().subList(from, adaptive.arrivals().size());
            // written after the change, which the first canaries of (at most 3 s) are still in flight across
            List<Arrival> settled = after.stream().filter(a -> a.writtenAtMicros() >= adaptive.time().nowMicros() - 30_000_000 + 7_000_000
                    + delay).toList();
            System.out.printf("AdaptivePollTest: delay now %d ms: uncertainty of the canaries after it %s ms%n", delay / 1000,
                    after.stream().limit(12).map(a -> String.valueOf(a.uncertaintyMicros() / 1000)).toList());
            assertThat(after).as("every canary arrives").hasSizeGreaterThanOrEqualTo(25);
            long changedAt = adaptive.time().nowMicros() - 30_000_000;
            assertThat(after.stream().filter(a -> a.writtenAtMicros() > changedAt))
                    .allMatch(a -> a.lowerMicros() <= delay && a.upperMicros() >= delay, "the delay in the interval of every canary written after the change");
            assertThat(settled).as("seven seconds on (the canaries of the stall it looked like, then plans widened by the surprise), each timed to the precision again")
                    .allMatch(a -> a.uncertaintyMicros() <= 60_000, "uncertainty <= 60 ms");
        }
        assertThat(adaptive.probe().lagNowSeconds(US, EU)).isLessThan(0.1);
    }

    @Test
    void aTargetFurtherThanItsSourceIsPlannedBeforeEachWriteAndCostsNoMoreReads() {
        Run near = run(PollSchedule.DEFAULT, 1_000_000, Duration.ofSeconds(120), 0);
        Run far = run(PollSchedule.DEFAULT, 1_000_000, Duration.ofSeconds(120), 230_000);
        System.out.printf("AdaptivePollTest: 1 s link, target calls 0 / 230 ms: %.2f / %.2f reads a canary, median uncertainty %d / %d ms%n",
                near.readsPerCanary(), far.readsPerCanary(), near.medianUncertaintyMicros() / 1000, far.medianUncertaintyMicros() / 1000);
        // the geometric schedule started before each write cost the far target 7.25 reads a canary
        assertThat(far.readsPerCanary()).isLessThan(near.readsPerCanary() + 0.5);
        assertThat(far.medianUncertaintyMicros()).as("the precision plus the round trips, on replag's clock").isLessThanOrEqualTo(50_000 + 230_000);
        assertThat(far.arrivals()).hasSizeGreaterThanOrEqualTo(near.arrivals().size() - 1)
                .allMatch(a -> a.lowerMicros() <= 1_000_000 && a.upperMicros() >= 1_000_000 - 5_000);
    }
}
