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
        VirtualTime time = new VirtualTime(1_700_000_000_000_000L);
        InMemoryCanaryStore store = new InMemoryCanaryStore(time, time);
        store.delay(US, EU, delayMicros);
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

    @Test
    void aStallIsReadAtMostOncePerPollMaxAndLagRisesAsBefore() {
        Run adaptive = run(PollSchedule.DEFAULT, 1_000_000, Duration.ofSeconds(60));
        adaptive.store().pause(US, EU);
        long readsBefore = adaptive.store().reads();
        adaptive.time().advance(Duration.ofSeconds(30));
        long stallReads = adaptive.store().reads() - readsBefore;
        double lag = adaptive.probe().lagNowSeconds(US, EU);
        System.out.printf("AdaptivePollTest: 30 s stall: %d reads, lag now %.1f s%n", stallReads, lag);
        assertThat(stallReads).as("at most one read per poll.max (1 s), plus the backoff's first steps").isLessThanOrEqualTo(30 + 12); // the backoff from 50 ms to 1 s takes ~11 reads
        assertThat(lag).isGreaterThan(29);
        adaptive.store().resume(US, EU);
        int before = adaptive.arrivals().size();
        adaptive.time().advance(Duration.ofSeconds(5));
        assertThat(adaptive.arrivals().size()).as("every canary of the stall arrives after it").isGreaterThan(before);
    }
}
