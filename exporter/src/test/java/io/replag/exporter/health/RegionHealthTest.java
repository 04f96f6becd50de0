package io.replag.exporter.health;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.engine.SetProbe;
import io.replag.agent.memory.InMemoryCanaryStore;
import io.replag.agent.metrics.ReplagMetrics;
import io.replag.agent.time.VirtualTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RegionHealthTest {
    static final String US = "us-east-1", EU = "eu-west-1", AP = "ap-southeast-2";

    VirtualTime time;
    InMemoryCanaryStore store;
    SetProbe probe;

    @BeforeEach
    void start() {
        time = new VirtualTime(1_700_000_000_000_000L);
        store = new InMemoryCanaryStore(time, time);
        ReplicationSet set = new ReplicationSet("orders", "memory",
                Map.of(US, new Endpoint("a", 1), EU, new Endpoint("b", 1), AP, new Endpoint("c", 1)),
                ReplicationSet.singleWriter(US, List.of(EU, AP)), ProbeTiming.builder().jitter(0).build(), null);
        probe = new SetProbe(set, store, time, time, new ReplagMetrics(new SimpleMeterRegistry()), "agent");
        probe.start();
    }

    RegionHealth health(String directions, Set<String> stores) {
        return new RegionHealth(new RegionHealthConfig(Duration.ofSeconds(2), Duration.ofSeconds(5), directions, stores),
                List.of(probe), () -> time.nowMicros() * 1_000);
    }

    /** Advances virtual time second by second, evaluating as the runtime's timer does. */
    void run(RegionHealth health, int seconds) {
        for (int i = 0; i < seconds; i++) {
            time.advance(Duration.ofSeconds(1));
            health.evaluate();
        }
    }

    @Test
    void healthyRegionsAnswerOkAndUnknownRegionsAreNotFound() {
        RegionHealth health = health("both", Set.of());
        run(health, 3);
        assertThat(health.status(EU).orElseThrow().healthy()).isTrue();
        assertThat(health.status(EU).orElseThrow().body()).isEqualTo("OK eu-west-1: replication within 2s (1 pairs)\n");
        assertThat(health.status(US).orElseThrow().body()).isEqualTo("OK us-east-1: replication within 2s (2 pairs)\n");
        assertThat(health.status("mars-1")).isEmpty();
    }

    @Test
    void aBreachFlipsTheRegionOnlyAfterTheGracePeriodAndRecoveryIsImmediate() {
        RegionHealth health = health("both", Set.of());
        run(health, 3);
        store.pause(US, EU);
        run(health, 4); // lag passes 2 s after ~2 s; the breach is then ~2 s old: within the 5 s grace
        RegionHealth.Status within = health.status(EU).orElseThrow();
        assertThat(within.healthy()).isTrue();
        assertThat(within.body()).startsWith("OK eu-west-1: within grace").contains("memory/orders us-east-1->eu-west-1 lag");
        run(health, 5);
        RegionHealth.Status failing = health.status(EU).orElseThrow();
        assertThat(failing.healthy()).isFalse();
        assertThat(failing.body()).startsWith("FAIL eu-west-1: memory/orders us-east-1->eu-west-1 lag ").endsWith("s > 2s\n");
        assertThat(health.status(US).orElseThrow().healthy())
                .as("us-east-1's other pair is fine: the stalled pair counts against its target only").isTrue();
        assertThat(health.status(AP).orElseThrow().healthy()).isTrue();

        store.resume(US, EU);
        run(health, 1);
        assertThat(health.status(EU).orElseThrow().healthy()).isTrue();
    }

    @Test
    void directionsAndStoresChooseWhatCounts() {
        RegionHealth into = health("into", Set.of());
        RegionHealth otherStore = health("both", Set.of("postgres"));
        run(into, 3);
        store.pause(US, EU);
        for (int i = 0; i < 12; i++) {
            time.advance(Duration.ofSeconds(1));
            into.evaluate();
            otherStore.evaluate();
        }
        assertThat(into.status(EU).orElseThrow().healthy()).isFalse();
        assertThat(into.status(US).orElseThrow().healthy()).as("only replication into us-east-1 would count").isTrue();
        assertThat(otherStore.status(EU)).as("no counted store has this region").isEmpty();
    }

    @Test
    void aFailingEndpointInTheRegionIsABreach() {
        RegionHealth health = health("into", Set.of());
        run(health, 3);
        store.fail(AP, new ConnectException("Connection refused"));
        run(health, 8);
        RegionHealth.Status status = health.status(AP).orElseThrow();
        assertThat(status.healthy()).isFalse();
        assertThat(status.body()).contains("memory/orders endpoint in ap-southeast-2 failing");
        assertThat(status.body().length()).isLessThanOrEqualTo(RegionHealth.MAX_BODY);
    }

    // --- attribution: a breach counts against the region the evidence points at ----------------

    /** A DynamoDB-like set: every region writes, every ordered pair. */
    SetProbe multiWriter(InMemoryCanaryStore store, List<String> regions) {
        Map<String, Endpoint> endpoints = new java.util.LinkedHashMap<>();
        regions.forEach(r -> endpoints.put(r, new Endpoint(r, 1)));
        ReplicationSet set = new ReplicationSet("sessions", "memory", endpoints, ReplicationSet.multiWriter(regions),
                ProbeTiming.builder().jitter(0).build(), null);
        SetProbe p = new SetProbe(set, store, time, time, new ReplagMetrics(new SimpleMeterRegistry()), "agent");
        p.start();
        return p;
    }

    RegionHealth health(List<SetProbe> sets) {
        return new RegionHealth(new RegionHealthConfig(Duration.ofSeconds(2), Duration.ofSeconds(5), "both", Set.of()),
                sets, () -> time.nowMicros() * 1_000);
    }

    /** Runs second by second, and asserts at every one of them that the regions given stay healthy. */
    void runHealthy(RegionHealth health, int seconds, String... regions) {
        for (int i = 0; i < seconds; i++) {
            time.advance(Duration.ofSeconds(1));
            health.evaluate();
            for (String r : regions) {
                RegionHealth.Status s = health.status(r).orElseThrow();
                assertThat(s.healthy()).as("second %d: %s", i, s.body()).isTrue();
            }
        }
    }

    @Test
    void aDeadRegionFailsAloneAndItsPeersStayHealthyAtEverySecond() {
        InMemoryCanaryStore multi = new InMemoryCanaryStore(time, time);
        SetProbe sessions = multiWriter(multi, List.of(US, EU, AP));
        RegionHealth health = health(List.of(probe, sessions));
        run(health, 3);
        ConnectException refused = new ConnectException("Connection refused");
        store.fail(EU, refused);
        multi.fail(EU, refused);
        runHealthy(health, 180, US, AP);
        RegionHealth.Status eu = health.status(EU).orElseThrow();
        assertThat(eu.healthy()).isFalse();
        assertThat(eu.verdict()).isEqualTo(RegionHealth.Verdict.FAIL);
        assertThat(eu.body()).startsWith("FAIL eu-west-1: ").contains("memory/sessions endpoint in eu-west-1 failing")
                .contains("memory/orders endpoint in eu-west-1 failing");

        store.fail(EU, null);
        multi.fail(EU, null);
        run(health, 3);
        assertThat(health.status(EU).orElseThrow().healthy()).isTrue();
    }

    @Test
    void aCutOffRegionWhoseEndpointStillAnswersIsBlamedFromThePairsAround() {
        InMemoryCanaryStore multi = new InMemoryCanaryStore(time, time);
        SetProbe sessions = multiWriter(multi, List.of(US, EU, AP));
        RegionHealth health = health(List.of(sessions));
        run(health, 3);
        for (String other : List.of(US, AP)) {
            multi.pause(EU, other).pause(other, EU);
        }
        runHealthy(health, 60, US, AP);
        RegionHealth.Status eu = health.status(EU).orElseThrow();
        assertThat(eu.healthy()).isFalse();
        assertThat(eu.body()).contains("eu-west-1->us-east-1 lag").contains("replication out of eu-west-1 stalls to every target")
                .contains("us-east-1->eu-west-1 lag").contains("replication into eu-west-1 stalls from every source");
    }

    @Test
    void inATwoRegionSetAStalledPairCountsAgainstItsTargetAndSaysItIsAmbiguous() {
        InMemoryCanaryStore two = new InMemoryCanaryStore(time, time);
        SetProbe pair = multiWriter(two, List.of(US, EU));
        RegionHealth health = health(List.of(pair));
        run(health, 3);
        two.pause(US, EU);
        runHealthy(health, 20, US);
        assertThat(health.status(EU).orElseThrow().body()).startsWith("FAIL eu-west-1: ")
                .contains("ambiguous: counted against the target, whose data is stale");
    }

    @Test
    void aDeadPrimaryFailsItsRegionOnlyAndADeadReplicaIsSeenWhileNothingIsWritten() {
        RegionHealth health = health(List.of(probe));
        run(health, 3);
        store.fail(US, new ConnectException("Connection refused"));
        runHealthy(health, 30, EU, AP);
        assertThat(health.status(US).orElseThrow().healthy()).isFalse();
        // now the eu-west-1 replica dies too: nothing is written, yet it is read once an interval
        store.fail(EU, new ConnectException("Connection refused"));
        run(health, 8);
        RegionHealth.Status eu = health.status(EU).orElseThrow();
        assertThat(eu.healthy()).as(eu.body()).isFalse();
        assertThat(eu.body()).contains("memory/orders endpoint in eu-west-1 failing");
        assertThat(health.status(AP).orElseThrow().healthy()).isTrue();
    }

    @Test
    void aWriterThatFailsWhileItsRegionStillAnswersReadsIsNotMasked() {
        InMemoryCanaryStore multi = new InMemoryCanaryStore(time, time);
        SetProbe sessions = multiWriter(multi, List.of(US, EU, AP));
        RegionHealth health = health(List.of(sessions));
        run(health, 3);
        multi.failWrites(EU, new RuntimeException("AccessDenied"));
        runHealthy(health, 20, US, AP);
        RegionHealth.Status eu = health.status(EU).orElseThrow();
        assertThat(eu.healthy()).as(eu.body()).isFalse();
        assertThat(eu.body()).contains("memory/sessions no canary written in eu-west-1 for");
    }

    // --- per-region agents: health from a quorum of agents' evidence ----------------------------

    /** One agent per region on a multi-writer set, each in per-region mode. */
    List<SetProbe> perRegionAgents(InMemoryCanaryStore store) {
        List<SetProbe> agents = new java.util.ArrayList<>();
        Map<String, Endpoint> endpoints = new java.util.LinkedHashMap<>();
        List.of(US, EU, AP).forEach(r -> endpoints.put(r, new Endpoint(r, 1)));
        ReplicationSet set = new ReplicationSet("sessions", "memory", endpoints, ReplicationSet.multiWriter(List.of(US, EU, AP)),
                ProbeTiming.builder().jitter(0).build(), null);
        for (String region : List.of(US, EU, AP)) {
            SetProbe agent = new SetProbe(set, store, time, time, new ReplagMetrics(new SimpleMeterRegistry()), "replag",
                    io.replag.agent.engine.ArrivalListener.NONE, region, io.replag.agent.clock.ClockBound.fixed(1_000));
            agent.start();
            agents.add(agent);
        }
        return agents;
    }

    @Test
    void withAnAgentPerRegionADeadRegionAndItsAgentFailAloneOnThePeersEvidence() {
        InMemoryCanaryStore multi = new InMemoryCanaryStore(time, time);
        List<SetProbe> agents = perRegionAgents(multi);
        boolean[] euAgentUp = {true};
        // what the us-east-1 agent's health sees: its own facts, and those of the peers that answer
        RegionHealth fromUs = new RegionHealth(new RegionHealthConfig(Duration.ofSeconds(2), Duration.ofSeconds(5), "both", Set.of()),
                () -> io.replag.agent.engine.SetView.merge(euAgentUp[0] ? agents : List.of(agents.get(0), agents.get(2))),
                () -> time.nowMicros() * 1_000, null,
                () -> euAgentUp[0] ? new RegionHealth.Quorum(3, 3, List.of()) : new RegionHealth.Quorum(2, 3, List.of(EU)));
        run(fromUs, 6);
        assertThat(fromUs.status(EU).orElseThrow().healthy()).isTrue();
        // eu-west-1 goes: its store, and its agent with it
        multi.fail(EU, new ConnectException("Connection refused"));
        euAgentUp[0] = false;
        agents.get(1).stop();
        runHealthy(fromUs, 60, US, AP);
        RegionHealth.Status eu = fromUs.status(EU).orElseThrow();
        assertThat(eu.healthy()).isFalse();
        assertThat(eu.body()).startsWith("FAIL eu-west-1: ").contains("the agent in eu-west-1 does not answer its peers");
    }

    @Test
    void anAgentThatReachesNoQuorumSaysSoForEveryRegion() {
        InMemoryCanaryStore multi = new InMemoryCanaryStore(time, time);
        List<SetProbe> agents = perRegionAgents(multi);
        RegionHealth alone = new RegionHealth(new RegionHealthConfig(Duration.ofSeconds(2), Duration.ofSeconds(5), "both", Set.of()),
                () -> io.replag.agent.engine.SetView.merge(List.of(agents.get(0))), () -> time.nowMicros() * 1_000, null,
                () -> new RegionHealth.Quorum(1, 3, List.of(EU, AP)));
        run(alone, 2);
        for (String region : List.of(US, EU, AP)) {
            RegionHealth.Status s = alone.status(region).orElseThrow();
            assertThat(s.healthy()).isFalse();
            assertThat(s.body()).isEqualTo("FAIL " + region + ": no quorum: 1 of 3 agents reachable (not answering: eu-west-1, ap-southeast-2)\n");
        }
    }
}
