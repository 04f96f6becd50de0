package io.replag.agent.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.PollSchedule;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.memory.InMemoryCanaryStore;
import io.replag.agent.metrics.ReplagMetrics;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.time.VirtualTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EngineTest {
    static final String US = "us-east-1", EU = "eu-west-1", AP = "ap-southeast-2";

    VirtualTime time;
    InMemoryCanaryStore store;
    MeterRegistry registry;
    ProbeTiming timing = ProbeTiming.builder().jitter(0).deadline(Duration.ofSeconds(30))
            .requestTimeout(Duration.ofSeconds(2)).nativeInterval(Duration.ofSeconds(10)).build();

    @BeforeEach
    void setUp() {
        time = new VirtualTime(1_700_000_000_000_000L);
        store = new InMemoryCanaryStore(time, time);
        registry = new SimpleMeterRegistry();
    }

    SetProbe start(ReplicationSet set) {
        SetProbe probe = new SetProbe(set, store, time, time, new ReplagMetrics(registry), "agent-1");
        probe.start();
        return probe;
    }

    ReplicationSet singleWriter() {
        return new ReplicationSet("orders", "memory",
                Map.of(US, new Endpoint("a", 1), EU, new Endpoint("b", 1), AP, new Endpoint("c", 1)),
                ReplicationSet.singleWriter(US, List.of(EU, AP)), timing, null);
    }

    double counter(String name, String target) {
        Counter c = registry.find(name).tag("target_region", target).counter();
        return c == null ? 0 : c.count();
    }

    double gauge(String name, String target) {
        return registry.find(name).tag("target_region", target).gauge().value();
    }

    double up(String region) {
        return registry.find("replag.up").tag("region", region).gauge().value();
    }

    double errors(String region, String op) {
        return registry.find("replag.errors").tag("region", region).tag("op", op).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    @Test
    void aWriteIntoAMissingTablePreparesAgainAndWritingResumes() {
        start(singleWriter());
        time.advance(Duration.ofSeconds(5));
        long preparesBefore = store.prepares();
        double arrivedBefore = counter("replag.canaries.arrived", EU);
        store.dropTable(US);
        time.advance(Duration.ofSeconds(5));
        assertThat(store.prepares()).as("prepared again after table_missing").isGreaterThan(preparesBefore);
        assertThat(registry.find("replag.errors").tags("region", US, "op", "write", "reason", "table_missing").counter())
                .as("the failed write is counted with its reason").isNotNull()
                .satisfies(c -> assertThat(c.count()).isGreaterThanOrEqualTo(1));
        time.advance(Duration.ofSeconds(5));
        assertThat(counter("replag.canaries.arrived", EU)).as("canaries arrive again").isGreaterThan(arrivedBefore + 3);
    }

    @Test
    void aFailureThatNeedsNoPrepareDoesNotPrepare() {
        start(singleWriter());
        time.advance(Duration.ofSeconds(5));
        long preparesBefore = store.prepares();
        store.failWrites(US, new IllegalStateException("read only"));
        time.advance(Duration.ofSeconds(5));
        assertThat(store.prepares()).isEqualTo(preparesBefore);
    }

    @Test
    void measuresInjectedDelayWithinTheReportedUncertainty() {
        store.delay(US, EU, 200_000).delay(US, AP, 1_300_000);
        SetProbe probe = start(singleWriter());
        time.advance(Duration.ofSeconds(20));

        for (var entry : Map.of(EU, 0.2, AP, 1.3).entrySet()) {
            String target = entry.getKey();
            double injected = entry.getValue();
            double lag = gauge("replag.lag.seconds", target);
            double uncertainty = gauge("replag.measurement.uncertainty.seconds", target);
            // the point estimate is the interval's middle: the injected delay lies within half its width
            assertThat(lag).as("lag %s", target).isBetween(injected - uncertainty / 2, injected + uncertainty);
            assertThat(uncertainty).as("uncertainty %s", target).isLessThanOrEqualTo(injected * 0.5 + 0.01);
            Timer histogram = registry.find("replag.arrival.latency").tag("target_region", target).timer();
            assertThat(histogram.count()).isGreaterThanOrEqualTo(17);
            assertThat(histogram.mean(java.util.concurrent.TimeUnit.SECONDS)).isBetween(injected - 0.25, injected + 0.25);
        }
        assertThat(probe.firstRoundDone()).isTrue();
        assertThat(up(US)).isEqualTo(1);
        assertThat(up(EU)).isEqualTo(1);
    }

    @Test
    void farRegionsWidenTheClientIntervalButItStillHoldsTheTruth() {
        // every call to every region takes 150 ms before it acts (the write commits, the read looks) and answers at once
        for (String region : List.of(US, EU, AP)) {
            store.callLatency(region, () -> 150_000);
        }
        store.delay(US, EU, 1_000_000).delay(US, AP, 250_000);
        List<Map.Entry<String, Arrival>> arrivals = new java.util.ArrayList<>();
        SetProbe probe = new SetProbe(singleWriter(), store, time, time, new ReplagMetrics(registry), "agent-1",
                (set, pair, a) -> arrivals.add(Map.entry(pair.target(), a)));
        probe.start();
        time.advance(Duration.ofSeconds(30));

        assertThat(arrivals).hasSizeGreaterThan(50);
        for (var e : arrivals) {
            Arrival a = e.getValue();
            // the store's replication delay is the truth, to the microsecond
            double truth = e.getKey().equals(EU) ? 1.0 : 0.25;
            assertThat(a.lowerMicros() / 1e6).as("seq %d", a.seq()).isLessThanOrEqualTo(truth);
            assertThat(a.upperMicros() / 1e6).as("seq %d", a.seq()).isGreaterThanOrEqualTo(truth);
            assertThat(a.method()).isEqualTo(Arrival.Method.CLIENT_CLOCK);
        }
        // reads overlap, so the 150 ms calls do not space them out: the interval is the poll gap plus the
        // write's and the hit's 150 ms, not a multiple of the call time
        double uncertainty = gauge("replag.measurement.uncertainty.seconds", EU);
        assertThat(uncertainty).isBetween(0.3, 0.3 + 0.35);
        assertThat(probe.lagNowSeconds(US, EU)).isBetween(0.9, 1.4);
    }

    @Test
    void stallMakesOnlyThatPairsLagRiseLinearlyAndResumeBringsItBack() {
        store.delay(US, EU, 50_000).delay(US, AP, 50_000);
        SetProbe probe = start(singleWriter());
        time.advance(Duration.ofSeconds(5));
        store.pause(US, EU);
        time.advance(Duration.ofSeconds(10));
        double lag10 = probe.lagNowSeconds(US, EU);
        time.advance(Duration.ofSeconds(10));
        double lag20 = probe.lagNowSeconds(US, EU);

        assertThat(lag10).isBetween(9.0, 11.0);
        assertThat(lag20 - lag10).as("rises one second per second").isCloseTo(10.0, within(0.01));
        assertThat(probe.lagNowSeconds(US, AP)).as("other pair unaffected").isLessThan(0.2);

        store.resume(US, EU);
        time.advance(Duration.ofSeconds(3));
        assertThat(probe.lagNowSeconds(US, EU)).isLessThan(0.2);
        assertThat(counter("replag.canaries.missed", EU)).as("20 s stall < 30 s deadline").isZero();
    }

    @Test
    void idleSourceDoesNotRaiseLag() {
        store.delay(US, EU, 100_000);
        ReplicationSet set = new ReplicationSet("idle", "memory", Map.of(US, new Endpoint("a", 1), EU, new Endpoint("b", 1)),
                ReplicationSet.singleWriter(US, List.of(EU)),
                timing.toBuilder().interval(Duration.ofHours(1)).build(), null);
        SetProbe probe = start(set);
        time.advance(Duration.ofSeconds(2));
        double early = probe.lagNowSeconds(US, EU);
        time.advance(Duration.ofMinutes(30));
        assertThat(early).isBetween(0.1, 0.2);
        assertThat(probe.lagNowSeconds(US, EU)).isEqualTo(early);
        assertThat(counter("replag.canaries.written", EU)).isEqualTo(1);
    }

    @Test
    void failingWriterIsAnErrorNotLag() {
        store.delay(US, EU, 100_000).delay(US, AP, 100_000);
        SetProbe probe = start(singleWriter());
        time.advance(Duration.ofSeconds(5));
        store.fail(US, new ConnectException("Connection refused"));
        // the canary written just before may still arrive; after that, nothing is written and lag must hold still
        time.advance(Duration.ofSeconds(1));
        double settled = probe.lagNowSeconds(US, EU);
        time.advance(Duration.ofSeconds(59));

        assertThat(probe.lagNowSeconds(US, EU)).isEqualTo(settled).isCloseTo(0.1, within(0.06));
        assertThat(up(US)).isZero();
        assertThat(registry.find("replag.errors").tags("region", US, "op", "write", "reason", "connection_refused")
                .counter().count()).isBetween(55.0, 61.0);
        assertThat(counter("replag.canaries.missed", EU)).isZero();

        store.fail(US, null);
        time.advance(Duration.ofSeconds(3));
        assertThat(up(US)).isEqualTo(1);
        assertThat(counter("replag.canaries.written", EU)).isGreaterThan(6);
    }

    @Test
    void canaryUnseenAtItsDeadlineIsMissedOnceAndCountsAddUp() {
        store.delay(US, EU, 100_000).delay(US, AP, 100_000);
        SetProbe probe = start(singleWriter());
        time.advance(Duration.ofSeconds(5));
        store.pause(US, EU);
        time.advance(Duration.ofSeconds(45));

        double written = counter("replag.canaries.written", EU);
        double arrived = counter("replag.canaries.arrived", EU);
        double missed = counter("replag.canaries.missed", EU);
        assertThat(missed).as("canaries older than the 30 s deadline").isBetween(14.0, 16.0);
        assertThat(written - arrived - missed).as("in flight: written in the last 30 s").isBetween(29.0, 31.0);
        assertThat(probe.lagNowSeconds(US, EU)).as("missed canaries still hold lag").isBetween(44.0, 46.0);
        assertThat(counter("replag.canaries.missed", AP)).isZero();

        store.resume(US, EU);
        time.advance(Duration.ofSeconds(3));
        assertThat(counter("replag.canaries.missed", EU)).as("no double counting after recovery").isEqualTo(missed);
        assertThat(probe.lagNowSeconds(US, EU)).isLessThan(0.5);
    }

    @Test
    void restartContinuesSeqWithoutMissedCanariesOrLagSpike() {
        store.delay(US, EU, 300_000).delay(US, AP, 300_000);
        SetProbe first = start(singleWriter());
        time.advance(Duration.ofSeconds(10));
        long seqBefore = store.committed(new CanaryKey("agent-1", US)).orElseThrow().seq();
        first.stop();
        time.advance(Duration.ofSeconds(5));

        registry = new SimpleMeterRegistry();
        SetProbe second = start(singleWriter());
        time.advance(Duration.ofMillis(500));
        long firstSeqAfter = store.committed(new CanaryKey("agent-1", US)).orElseThrow().seq();
        assertThat(firstSeqAfter).isEqualTo(seqBefore + 1);
        double maxLag = 0;
        for (int i = 0; i < 100; i++) {
            time.advance(Duration.ofMillis(100));
            maxLag = Math.max(maxLag, Double.isNaN(second.lagNowSeconds(US, EU)) ? 0 : second.lagNowSeconds(US, EU));
        }
        assertThat(maxLag).as("no spike after restart").isLessThan(0.6);
        assertThat(counter("replag.canaries.missed", EU)).isZero();
        assertThat(errors(US, "write")).as("no stale-seq refusals").isZero();
    }

    @Test
    void staleSeqIsRecoveredByReadingTheSeqBack() {
        SetProbe probe = start(singleWriter());
        time.advance(Duration.ofSeconds(3));
        // Another writer with the same agent id pushes the record far ahead.
        store.write(US, new io.replag.agent.spi.Canary(new CanaryKey("agent-1", US), 1_000, time.nowMicros()));
        time.advance(Duration.ofSeconds(5));
        assertThat(registry.find("replag.errors").tags("op", "write", "reason", "stale_seq").counter().count()).isEqualTo(1);
        assertThat(store.committed(new CanaryKey("agent-1", US)).orElseThrow().seq()).isGreaterThan(1_000);
        assertThat(probe.lagNowSeconds(US, EU)).isLessThan(0.1);
    }

    @Test
    void hangingTargetTimesOutWithoutDelayingTheOthers() {
        store.delay(US, EU, 100_000).delay(US, AP, 100_000);
        SetProbe probe = start(singleWriter());
        time.advance(Duration.ofSeconds(3));
        store.hang(EU, true);
        double apArrivedBefore = counter("replag.canaries.arrived", AP);
        time.advance(Duration.ofSeconds(20));

        assertThat(counter("replag.canaries.arrived", AP) - apArrivedBefore).isBetween(19.0, 21.0);
        // reads overlap while the target answers (up to 8 in flight); once one fails, one at a time, each timing out after 2 s
        assertThat(registry.find("replag.errors").tags("region", EU, "op", "read", "reason", "timeout")
                .counter().count()).isBetween(8.0, 8.0 + 20 / 2.0);
        assertThat(up(EU)).isZero();
        assertThat(probe.lagNowSeconds(US, EU)).as("unseen canaries age").isGreaterThan(17.0);
    }

    @Test
    void pollingIsAdaptiveFastAfterTheWriteAndBoundedPerCanary() {
        store.delay(US, EU, 150_000);
        ReplicationSet set = new ReplicationSet("poll", "memory", Map.of(US, new Endpoint("a", 1), EU, new Endpoint("b", 1)),
                ReplicationSet.singleWriter(US, List.of(EU)), timing.toBuilder()
                .poll(new PollSchedule(Duration.ofMillis(10), 1.5, Duration.ofSeconds(1))).build(), null);
        start(set);
        time.advance(Duration.ofSeconds(100));
        double arrived = counter("replag.canaries.arrived", EU);
        long readsPerCanary = (store.reads() - 1) / (long) arrived;
        // 10, 25, 47.5, 81, 132, 208 ms: the 6th read is the first after 150 ms
        assertThat(readsPerCanary).isEqualTo(6);
        assertThat(gauge("replag.measurement.uncertainty.seconds", EU)).isCloseTo(0.0765, within(0.001));
    }

    @Test
    void nativeFigureIsExportedPerPair() {
        store.delay(US, EU, 250_000);
        start(singleWriter());
        time.advance(Duration.ofSeconds(1));
        assertThat(registry.find("replag.native.lag.seconds").tags("target_region", EU, "source_metric", "memory_link_delay")
                .gauge().value()).isEqualTo(0.25);
    }

    @Test
    void multiWriterProbesEveryOrderedPair() {
        ReplicationSet set = new ReplicationSet("global", "memory",
                Map.of(US, new Endpoint("a", 1), EU, new Endpoint("b", 1), AP, new Endpoint("c", 1)),
                ReplicationSet.multiWriter(List.of(US, EU, AP)), timing, null);
        start(set);
        time.advance(Duration.ofSeconds(3));
        assertThat(registry.find("replag.lag.seconds").gauges()).hasSize(6);
        assertThat(registry.find("replag.canaries.arrived").counters()).allSatisfy(c -> assertThat(c.count()).isGreaterThan(1));
    }
}
