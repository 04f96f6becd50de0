package io.replag.agent.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replag.agent.config.Convergence;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.metrics.ReplagMetrics;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.NativeLag;
import io.replag.agent.spi.ServerTime;
import io.replag.agent.spi.Sighting;
import io.replag.agent.spi.StaleSeqException;
import io.replag.agent.time.VirtualTime;
import io.vertx.core.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The convergence probe on a store that resolves conflicts by last writer wins, in virtual time. */
class ConvergenceProbeTest {
    static final String US = "us-east-1", EU = "eu-west-1", AP = "ap-southeast-2";
    static final List<String> REGIONS = List.of(US, EU, AP);

    VirtualTime time;
    LastWriterWins store;
    MeterRegistry registry;

    /**
     * Every region holds one value per key; a write replicates to every other region after the
     * link's delay, where it replaces what is held only if it is newer (write time, then region);
     * a dropping link loses it; a flapping region shows an old copy once more.
     */
    static final class LastWriterWins implements CanaryStore {
        record Held(Canary canary, long writtenAtMicros, String region) {
            boolean newerThan(Held other) {
                return other == null || writtenAtMicros > other.writtenAtMicros
                        || writtenAtMicros == other.writtenAtMicros && region.compareTo(other.region) > 0;
            }
        }

        final VirtualTime time;
        final Map<String, Map<CanaryKey, Held>> regions = new HashMap<>();
        final Map<String, Long> delayMicros = new HashMap<>();
        final Set<String> dropping = new HashSet<>();
        final Set<String> unreadable = new HashSet<>();

        LastWriterWins(VirtualTime time) {
            this.time = time;
            REGIONS.forEach(r -> regions.put(r, new HashMap<>()));
        }

        void apply(String region, CanaryKey key, Held copy) {
            Held current = regions.get(region).get(key);
            if (copy.newerThan(current)) {
                regions.get(region).put(key, copy);
            }
        }

        @Override
        public Future<Void> prepareWriter(String region) {
            return Future.succeededFuture();
        }

        @Override
        public Future<ServerTime> write(String region, Canary canary) {
            Held current = regions.get(region).get(canary.key());
            if (current != null && current.canary().seq() >= canary.seq()) {
                return Future.failedFuture(new StaleSeqException("held " + current.canary().seq()));
            }
            Held copy = new Held(canary, time.nowMicros(), region);
            regions.get(region).put(canary.key(), copy);
            for (String target : REGIONS) {
                String link = region + "->" + target;
                if (!target.equals(region) && !dropping.contains(link)) {
                    time.schedule(delayMicros.getOrDefault(link, 500_000L), () -> apply(target, canary.key(), copy));
                }
            }
            // acknowledged a millisecond later, so a write sent after it is later by any clock
            io.vertx.core.Promise<ServerTime> ack = io.vertx.core.Promise.promise();
            time.schedule(1_000, () -> ack.complete(ServerTime.UNKNOWN));
            return ack.future();
        }

        @Override
        public Future<Sighting> read(String region, CanaryKey key) {
            if (unreadable.contains(region)) {
                return Future.failedFuture(new java.net.ConnectException("down"));
            }
            Held held = regions.get(region).get(key);
            return Future.succeededFuture(Sighting.of(Optional.ofNullable(held).map(Held::canary)));
        }

        @Override
        public Future<List<NativeLag>> readNativeLag(String sourceRegion, String targetRegion) {
            return Future.succeededFuture(List.of());
        }

        @Override
        public Future<Void> close() {
            return Future.succeededFuture();
        }
    }

    @BeforeEach
    void setUp() {
        time = new VirtualTime(1_700_000_000_000_000L);
        store = new LastWriterWins(time);
        registry = new SimpleMeterRegistry();
    }

    SetProbe start(Convergence convergence) {
        ProbeTiming timing = ProbeTiming.builder().jitter(0).interval(Duration.ofSeconds(1)).deadline(Duration.ofSeconds(30))
                .convergence(convergence).build();
        ReplicationSet set = new ReplicationSet("sessions", "memory",
                Map.of(US, new Endpoint("a", 1), EU, new Endpoint("b", 1), AP, new Endpoint("c", 1)),
                ReplicationSet.multiWriter(REGIONS), timing, null);
        SetProbe probe = new SetProbe(set, store, time, time, new ReplagMetrics(registry), "agent-1");
        probe.start();
        return probe;
    }

    double divergent() {
        var g = registry.find("replag.divergent").gauge();
        return g == null ? Double.NaN : g.value();
    }

    double rounds(String result) {
        var c = registry.find("replag.convergence.rounds").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    double winner(String region) {
        return registry.find("replag.convergence.winner").tag("region", region).gauge().value();
    }

    @Test
    void healthyRegionsConvergeOnTheLaterWriteWithinTheReplicationDelayAndOnePoll() {
        start(new Convergence(Duration.ofSeconds(20), Duration.ofSeconds(5)));
        time.advance(Duration.ofSeconds(15));
        assertThat(rounds("converged")).isEqualTo(1);
        assertThat(divergent()).isZero();
        var timer = registry.find("replag.convergence").timer();
        double seconds = timer.totalTime(java.util.concurrent.TimeUnit.MICROSECONDS) / 1e6;
        // the first round: us-east-1 writes, eu-west-1 writes after it; 500 ms replication, then a read within a poll gap
        assertThat(seconds).as("convergence time").isBetween(0.5, 0.5 + 0.3);
        assertThat(winner(EU)).as("the later write wins").isEqualTo(1);
        assertThat(winner(US)).isZero();
        time.advance(Duration.ofSeconds(200));
        assertThat(rounds("converged")).as("a round every 20 s").isEqualTo(11);
        assertThat(rounds("divergent")).isZero();
        assertThat(registry.find("replag.convergence.flipflops").counters()).allMatch(c -> c.count() == 0);
    }

    @Test
    void aDirectionThatDropsIsDivergentInTheRoundsItsSourceShouldWinAndHealsOnceMended() {
        store.dropping.add(EU + "->" + AP);
        SetProbe probe = start(new Convergence(Duration.ofSeconds(20), Duration.ofSeconds(5)));
        // rounds take the ordered pairs in turn: (us, eu) first, where eu's later write never reaches ap
        time.advance(Duration.ofSeconds(17));
        assertThat(divergent()).isEqualTo(1);
        assertThat(probe.convergence()).hasValueSatisfying(v -> assertThat(v.lastDisagreement())
                .as("what each region showed, for the status page").isEqualTo("{ap-southeast-2=us-east-1, eu-west-1=eu-west-1, us-east-1=eu-west-1}"));
        assertThat(rounds("divergent")).isEqualTo(1);
        time.advance(Duration.ofSeconds(20));
        assertThat(rounds("divergent")).as("the divergent round is repeated").isEqualTo(2);
        store.dropping.clear();
        time.advance(Duration.ofSeconds(20));
        assertThat(divergent()).as("mended: the repeated round converges").isZero();
        assertThat(rounds("converged")).isEqualTo(1);
    }

    @Test
    void aRegionThatCannotBeReadIsAnOutageNotADisagreement() {
        store.unreadable.add(AP);
        start(new Convergence(Duration.ofSeconds(20), Duration.ofSeconds(5)));
        time.advance(Duration.ofSeconds(60));
        assertThat(rounds("skipped")).isGreaterThanOrEqualTo(2);
        assertThat(rounds("divergent")).isZero();
        assertThat(divergent()).as("no round judged yet").isNaN();
    }

    @Test
    void aRegionWhoseValueChangesTwiceInARoundFlipFlops() {
        // ap-southeast-2 far behind, so the round lasts while us-east-1 flaps
        store.delayMicros.put(US + "->" + AP, 3_000_000L);
        store.delayMicros.put(EU + "->" + AP, 3_000_000L);
        start(new Convergence(Duration.ofSeconds(20), Duration.ofSeconds(5)));
        time.advance(Duration.ofSeconds(10).plusMillis(100));
        // us-east-1 holds its own write, eu-west-1's arrives at +0.5 s; make it go back to us-east-1's once
        CanaryKey key = new CanaryKey("agent-1/convergence", "all");
        LastWriterWins.Held own = store.regions.get(US).get(key);
        assertThat(own.region()).isEqualTo(US);
        time.advance(Duration.ofMillis(600));
        assertThat(store.regions.get(US).get(key).region()).isEqualTo(EU);
        store.regions.get(US).put(key, own); // a replica that flaps back
        time.advance(Duration.ofMillis(300));
        store.regions.get(US).put(key, store.regions.get(EU).get(key));
        time.advance(Duration.ofSeconds(10));
        assertThat(registry.find("replag.convergence.flipflops").tag("region", US).counter().count()).isEqualTo(1);
        assertThat(rounds("converged")).isEqualTo(1);
    }
}
