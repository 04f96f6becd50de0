package io.replag.agent.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replag.agent.clock.ClockBound;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.memory.InMemoryCanaryStore;
import io.replag.agent.metrics.ReplagMetrics;
import io.replag.agent.time.VirtualTime;
import io.replag.agent.time.WallClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent per region on one replicated store (in memory, virtual time): each writes its own
 * region's canaries and reads only in its region, on a clock of its own that is off by a known
 * amount, within or beyond the bound it declares.
 */
class PerRegionEngineTest {
    static final String US = "us-east-1", EU = "eu-west-1", AP = "ap-southeast-2";
    static final List<String> REGIONS = List.of(US, EU, AP);

    VirtualTime time;
    InMemoryCanaryStore store;
    MeterRegistry registry;
    final List<Map.Entry<String, Arrival>> arrivals = new ArrayList<>();
    ProbeTiming timing = ProbeTiming.builder().jitter(0.1).deadline(Duration.ofSeconds(30)).build();

    @BeforeEach
    void setUp() {
        time = new VirtualTime(1_700_000_000_000_000L);
        store = new InMemoryCanaryStore(time, time);
        registry = new SimpleMeterRegistry();
    }

    ReplicationSet set() {
        return new ReplicationSet("sessions", "memory", Map.of(US, new Endpoint("a", 1), EU, new Endpoint("b", 1), AP, new Endpoint("c", 1)),
                ReplicationSet.multiWriter(REGIONS), timing, null);
    }

    /** Starts one agent per region, each with its clock off by {@code offsets} µs and declaring {@code bounds} µs. */
    List<SetProbe> agents(Map<String, Long> offsets, Map<String, Long> bounds) {
        List<SetProbe> agents = new ArrayList<>();
        for (String region : REGIONS) {
            long offset = offsets.get(region);
            WallClock clock = () -> time.nowMicros() + offset;
            SetProbe agent = new SetProbe(set(), store, time, clock, new ReplagMetrics(registry), "replag",
                    (set, pair, a) -> arrivals.add(Map.entry(pair.source() + "->" + pair.target(), a)), region,
                    ClockBound.fixed(bounds.get(region)));
            agent.start();
            agents.add(agent);
        }
        return agents;
    }

    double counter(String name, String source, String target) {
        Counter c = registry.find(name).tag("source_region", source).tag("target_region", target).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void eachPairIsMeasuredOnceByItsTargetsAgentAndHoldsTheTruthAcrossSkewedClocks() {
        store.delay(US, EU, 200_000).delay(EU, US, 1_300_000).delay(US, AP, 50_000).delay(AP, US, 50_000)
                .delay(EU, AP, 400_000).delay(AP, EU, 700_000);
        // clocks off by up to 40 ms, each within the bound its agent declares
        agents(Map.of(US, 0L, EU, 40_000L, AP, -25_000L), Map.of(US, 5_000L, EU, 45_000L, AP, 30_000L));
        time.advance(Duration.ofSeconds(30));

        Map<String, Long> truth = Map.of(US + "->" + EU, 200_000L, EU + "->" + US, 1_300_000L, US + "->" + AP, 50_000L,
                AP + "->" + US, 50_000L, EU + "->" + AP, 400_000L, AP + "->" + EU, 700_000L);
        for (String pair : truth.keySet()) {
            List<Arrival> seen = arrivals.stream().filter(e -> e.getKey().equals(pair)).map(Map.Entry::getValue).toList();
            assertThat(seen).as(pair).hasSizeGreaterThan(20);
            for (Arrival a : seen) {
                assertThat(truth.get(pair)).as("%s seq %d: [%d, %d]", pair, a.seq(), a.lowerMicros(), a.upperMicros())
                        .isBetween(a.lowerMicros(), a.upperMicros());
                assertThat(a.method()).isEqualTo(Arrival.Method.CLIENT_CLOCK);
            }
        }
        // one series per pair: each agent registered only the pairs into its own region
        assertThat(registry.find("replag.lag.seconds").gauges()).hasSize(6);
        assertThat(counter("replag.clock.anomalies", US, EU)).isZero();
        // the bounds are in the interval: the two clocks' bounds, both ways, widen it
        Arrival last = arrivals.stream().filter(e -> e.getKey().equals(US + "->" + EU)).reduce((a, b) -> b).orElseThrow().getValue();
        assertThat(last.uncertaintyMicros()).isGreaterThanOrEqualTo(2 * (5_000 + 45_000));
    }

    @Test
    void clocksWorseThanTheirBoundsAreCountedNotExportedAsNegativeLatency() {
        store.delay(US, EU, 10_000);
        // eu-west-1's clock is 300 ms slow but claims 1 ms: canaries from us-east-1 seem to arrive before they were written
        agents(Map.of(US, 0L, EU, -300_000L, AP, 0L), Map.of(US, 1_000L, EU, 1_000L, AP, 1_000L));
        time.advance(Duration.ofSeconds(20));
        double anomalies = counter("replag.clock.anomalies", US, EU);
        // most canaries show before they were written by eu-west-1's clock: counted, not exported; the few seen
        // late enough to look positive are exported, and no bound can make a clock that lies about its bound right
        assertThat(anomalies).isGreaterThan(10);
        assertThat(arrivals.stream().filter(e -> e.getKey().equals(US + "->" + EU)).count()).isLessThan((long) anomalies);
        assertThat(counter("replag.clock.anomalies", US, AP)).as("honest clocks: none").isZero();
    }

    @Test
    void aStalledPairsLagRisesFromTheCanaryTheCadencePromised() {
        store.delay(US, EU, 50_000);
        List<SetProbe> agents = agents(Map.of(US, 0L, EU, 0L, AP, 0L), Map.of(US, 1_000L, EU, 1_000L, AP, 1_000L));
        time.advance(Duration.ofSeconds(5));
        store.pause(US, EU);
        time.advance(Duration.ofSeconds(20));
        SetProbe eu = agents.get(1);
        double lag = eu.lagNowSeconds(US, EU);
        assertThat(lag).as("20 s of stall less one interval and its jitter").isBetween(18.0, 20.5);
        assertThat(eu.lagNowSeconds(AP, EU)).isLessThan(0.5);
        store.resume(US, EU);
        time.advance(Duration.ofSeconds(3));
        assertThat(eu.lagNowSeconds(US, EU)).isLessThan(0.5);
        assertThat(counter("replag.canaries.written", US, EU)).as("the seq advance the reader saw").isBetween(26.0, 30.0);
    }

    /**
     * Reads per canary and the median uncertainty of every pair's arrivals, after two minutes at
     * 1.5 s on every link (at exactly the interval, 1 s, the cadence restarts its geometric reads
     * just as each canary lands, which flatters it: 54 ms, as close as a learned plan).
     */
    double[] aSecondAndAHalfEverywhere(io.replag.agent.config.PollSchedule poll) {
        setUp();
        arrivals.clear();
        timing = timing.toBuilder().poll(poll).build();
        for (String source : REGIONS) {
            for (String target : REGIONS) {
                if (!source.equals(target)) {
                    store.delay(source, target, 1_500_000);
                }
            }
        }
        agents(Map.of(US, 0L, EU, 0L, AP, 0L), Map.of(US, 1_000L, EU, 1_000L, AP, 1_000L));
        time.advance(Duration.ofSeconds(20));
        long readsBefore = store.reads();
        int arrivedBefore = arrivals.size();
        time.advance(Duration.ofSeconds(120));
        List<Arrival> counted = arrivals.subList(arrivedBefore, arrivals.size()).stream().map(Map.Entry::getValue).toList();
        for (Arrival a : counted) {
            assertThat(1_500_000L).as("seq %d: [%d, %d]", a.seq(), a.lowerMicros(), a.upperMicros()).isBetween(a.lowerMicros(), a.upperMicros());
        }
        long[] u = counted.stream().mapToLong(Arrival::uncertaintyMicros).sorted().toArray();
        return new double[]{(store.reads() - readsBefore) / (double) counted.size(), u[u.length / 2] / 1000.0, counted.size()};
    }

    @Test
    void agentsReadingByTheCadenceLearnEachPairAsALocalWriterDoes() {
        double[] geometric = aSecondAndAHalfEverywhere(io.replag.agent.config.PollSchedule.GEOMETRIC);
        double[] adaptive = aSecondAndAHalfEverywhere(io.replag.agent.config.PollSchedule.DEFAULT);
        System.out.printf("PerRegionEngineTest: 1.5 s on every link, an agent per region: geometric %.2f reads/canary, median uncertainty %.0f ms;"
                + " adaptive %.2f, %.0f ms%n", geometric[0], geometric[1], adaptive[0], adaptive[1]);
        assertThat(adaptive[2]).as("as many arrivals").isGreaterThanOrEqualTo(geometric[2] - 6);
        assertThat(adaptive[0]).as("reads per canary").isLessThan(geometric[0] / 2);
        // the writer's jitter (10 % of the interval) is in the reader's forecast: its window is wider than a local writer's
        assertThat(adaptive[1]).as("median uncertainty, ms").isLessThan(geometric[1]).isLessThanOrEqualTo(80);
    }

    /**
     * Reads of the target agent during a 30 s stall of a 1 s link ({@code poll.max} 1 s, interval
     * 1 s): the cadence promises a canary every interval, none shows.
     */
    @Test
    void aStallIsReadAtMostOncePerPollMaxAndLagRisesAsBefore() {
        store.delay(US, EU, 1_000_000);
        ReplicationSet two = new ReplicationSet("sessions", "memory", Map.of(US, new Endpoint("a", 1), EU, new Endpoint("b", 1)),
                ReplicationSet.singleWriter(US, List.of(EU)), timing.toBuilder().jitter(0).build(), null);
        List<SetProbe> agents = new ArrayList<>();
        for (String region : List.of(US, EU)) {
            agents.add(new SetProbe(two, store, time, time, new ReplagMetrics(registry), "replag", (set, pair, a) -> arrivals.add(Map.entry(region, a)),
                    region, ClockBound.fixed(1_000)));
            agents.get(agents.size() - 1).start();
        }
        time.advance(Duration.ofSeconds(30));
        store.pause(US, EU).watchReads(EU);
        time.advance(Duration.ofSeconds(30));

        long reads = store.watchedReads();
        double lag = agents.get(1).lagNowSeconds(US, EU);
        System.out.printf("PerRegionEngineTest: 30 s stall of a 1 s link, the target's agent: %d reads, lag now %.1f s%n", reads, lag);
        // before, the cadence's reads from every promised write went on through a stall: 325 reads
        assertThat(reads).as("at most one read per poll.max (1 s), plus the backoff's first steps").isLessThanOrEqualTo(30 + 12);
        assertThat(lag).as("30 s of stall less the interval the cadence allows").isGreaterThan(28);
        store.resume(US, EU);
        time.advance(Duration.ofSeconds(3));
        assertThat(agents.get(1).lagNowSeconds(US, EU)).as("the stall's canaries arrive at once").isLessThan(1.5);
        int before = arrivals.size();
        time.advance(Duration.ofSeconds(30));
        List<Arrival> after = arrivals.subList(before, arrivals.size()).stream().map(Map.Entry::getValue).toList();
        assertThat(after).as("a canary a second again").hasSizeGreaterThanOrEqualTo(28);
        assertThat(after.subList(after.size() / 2, after.size())).as("timed closely again, on a plan")
                .allMatch(a -> a.uncertaintyMicros() <= 100_000);
    }
}
