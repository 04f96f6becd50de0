package io.replag.tools;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.search.Search;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.engine.Arrival;
import io.replag.exporter.Await;
import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.config.ReplagConfig;
import io.replag.lab.Lab;
import io.replag.lab.LinkChange;
import io.replag.lab.distance.Geography;
import io.replag.lab.redis.RedisLab;
import io.replag.tools.demo.Demo;
import io.replag.tools.lab.LabControl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis on the demo's lab at AWS's distances (replag in us-east-1 with the primary; eu-west-1 40 ms
 * one way, ap-southeast-2 115 ms): what only this store has, beside the conformance kit and the
 * generic lab scenarios (StoreContractIT, StoreLabIT): a delay measured inside its interval on the
 * servers' clocks, a pause, and a stopped replica whose link shows as stopped, never as up or lag 0.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class RedisLabIT {
    static final String US = "us-east-1", EU = "eu-west-1", AP = "ap-southeast-2";

    static Lab lab;
    static RedisLab redis;
    static ReplagRuntime runtime;
    static final ProbeTiming TIMING = ProbeTiming.builder().nativeInterval(Duration.ofSeconds(1)).build();

    record Seen(String target, Arrival arrival) {
    }

    static final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        Geography geography = Geography.demo(Demo.REGIONS, Demo.PRIMARY);
        try {
            redis = RedisLab.start(Demo.PRIMARY, Demo.REPLICAS, geography);
        } catch (RedisLab.Unavailable e) {
            System.out.println("SKIPPED RedisLabIT: " + e.getMessage());
            Assumptions.abort(e.getMessage());
        }
        lab = new Lab(List.of(redis), geography);
        ReplagConfig config = Demo.config(lab, "127.0.0.1", 0, TIMING);
        runtime = new ReplagRuntime(config, LabControl.of(lab), (set, pair, a) -> seen.add(new Seen(pair.target(), a)));
        runtime.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        Fixtures.stop(runtime, lab);
    }

    @AfterEach
    void heal() throws Exception {
        for (String region : Demo.REGIONS) {
            redis.startRegion(region);
        }
        for (String target : Demo.REPLICAS) {
            redis.change(US, target, new LinkChange(Optional.of(0L), Optional.of(false)));
        }
    }

    static Search meter(String name, String... tags) {
        return runtime.registry().find(name).tag("store", "redis").tags(tags);
    }

    static double gauge(Search search) {
        Gauge g = search.gauge();
        return g == null ? Double.NaN : g.value();
    }

    static double lag(String target) {
        return gauge(meter("replag.lag.seconds", "target_region", target));
    }

    static double linkStopped(String target) {
        return gauge(meter("replag.native.replication.stopped", "target_region", target, "source_metric", "master_link_status"));
    }

    static double bytesBehind(String target) {
        return gauge(meter("replag.native.lag.bytes", "target_region", target, "source_metric", "master_repl_offset"));
    }

    static double up(String region) {
        return gauge(meter("replag.up", "region", region));
    }

    static long lastSeq(String target) {
        return seen.stream().filter(s -> s.target.equals(target)).mapToLong(s -> s.arrival.seq()).max().orElse(0);
    }

    @Test
    void a_bothReplicasAreMeasuredOnTheServersClocksWithTheirLinkUpAndNothingBehind() {
        Await.until(Duration.ofSeconds(20), "arrivals in both replicas", () -> lastSeq(EU) > 1 && lastSeq(AP) > 1);
        Await.until(Duration.ofSeconds(10), "master_link_status up on both", () -> linkStopped(EU) == 0 && linkStopped(AP) == 0);
        Await.until(Duration.ofSeconds(10), "offsets compared", () -> bytesBehind(EU) >= 0 && bytesBehind(AP) >= 0);
        assertThat(seen).filteredOn(s -> s.target.equals(EU)).allMatch(s -> s.arrival.method() == Arrival.Method.SERVER_CLOCK);
        assertThat(lag(EU)).as("eu-west-1 is 40 ms from the primary").isLessThan(0.5);
        assertThat(lag(AP)).as("ap-southeast-2 is 115 ms from the primary").isLessThan(0.5);
        assertThat(gauge(meter("replag.native.lag.seconds", "target_region", EU, "source_metric", "GlobalDatastoreReplicationLag")))
                .as("the lab's CloudWatch figure: distance, no delay").isBetween(0.0, 0.2);
    }

    /** The truth: the primary sends the stream as it applies the write; the replica gets it one way + delay later. */
    @Test
    void b_aDelayOfOnePointFiveSecondsIsMeasuredInsideItsIntervalOnThatPairOnly() throws Exception {
        redis.change(US, EU, LinkChange.delay(1500, 0));
        long after = lastSeq(EU) + 2; // a canary in flight when the delay began arrives early
        Await.until(Duration.ofSeconds(30), "five delayed arrivals in eu-west-1", () -> lastSeq(EU) >= after + 5);
        long truthMicros = 1_500_000 + lab.geography().oneWayMicros(US, EU);
        List<Arrival> delayed = seen.stream().filter(s -> s.target.equals(EU) && s.arrival.seq() >= after).map(Seen::arrival).toList();
        for (Arrival a : delayed) {
            System.out.printf("RedisLabIT: 1.5 s delay + %d ms: seq %d in [%.3f, %.3f] s%n", lab.geography().oneWayMicros(US, EU) / 1000,
                    a.seq(), a.lowerMicros() / 1e6, a.upperMicros() / 1e6);
            // the stream leaves the primary within a few ms of the write; the proxy adds exactly distance + delay
            assertThat(a.lowerMicros()).as("seq " + a.seq() + " lower bound").isLessThanOrEqualTo(truthMicros + 10_000);
            assertThat(a.upperMicros()).as("seq " + a.seq() + " upper bound").isGreaterThanOrEqualTo(truthMicros);
        }
        assertThat(lag(AP)).as("ap-southeast-2 keeps its own link").isLessThan(0.5);
    }

    @Test
    void c_aPauseRaisesThatPairsLagOneSecondPerSecondAndItsBytesBehindWhileTheOtherStaysNearZero() throws Exception {
        Await.until(Duration.ofSeconds(20), "eu-west-1 caught up", () -> lag(EU) < 0.5);
        redis.change(US, EU, new LinkChange(Optional.empty(), Optional.of(true)));
        Await.until(Duration.ofSeconds(10), "eu-west-1 lag rising", () -> lag(EU) > 2);
        long t0 = System.nanoTime();
        double lag0 = lag(EU);
        Await.until(Duration.ofSeconds(10), "three more seconds", () -> System.nanoTime() - t0 > 3_000_000_000L);
        double rise = lag(EU) - lag0;
        double elapsed = (System.nanoTime() - t0) / 1e9;
        System.out.printf("RedisLabIT: paused: lag rose %.2f s in %.2f s; ap-southeast-2 %.3f s; eu-west-1 %s bytes behind%n",
                rise, elapsed, lag(AP), bytesBehind(EU));
        assertThat(rise).as("one second per second").isBetween(elapsed - 1.1, elapsed + 0.1);
        assertThat(lag(AP)).isLessThan(0.5);
        Await.until(Duration.ofSeconds(10), "eu-west-1 has stream still to receive", () -> bytesBehind(EU) > 0);
        assertThat(linkStopped(EU)).as("a held stream is a slow link, not a stopped one").isEqualTo(0);
        redis.change(US, EU, new LinkChange(Optional.empty(), Optional.of(false)));
        Await.until(Duration.ofSeconds(20), "healed", () -> lag(EU) < 0.5 && bytesBehind(EU) == 0);
    }

    @Test
    void d_aStoppedReplicaIsDownWithItsLinkStoppedNeverUpOrLagZeroAndComesBack() throws Exception {
        Await.until(Duration.ofSeconds(20), "link up", () -> linkStopped(EU) == 0);
        redis.stopRegion(EU);
        Await.until(Duration.ofSeconds(20), "eu-west-1 down with its link stopped", () -> up(EU) == 0 && linkStopped(EU) == 1);
        assertThat(bytesBehind(EU)).as("no offset from a replica that does not answer").isNaN();
        assertThat(up(AP)).isEqualTo(1);
        assertThat(linkStopped(AP)).isEqualTo(0);
        redis.startRegion(EU);
        long before = lastSeq(EU);
        Await.until(Duration.ofSeconds(30), "eu-west-1 back", () -> up(EU) == 1 && linkStopped(EU) == 0 && lastSeq(EU) > before);
    }
}
