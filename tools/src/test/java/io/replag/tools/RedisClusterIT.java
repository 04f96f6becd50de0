package io.replag.tools;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.replag.agent.engine.Arrival;
import io.replag.exporter.Await;
import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.config.ConfigLoader;
import io.replag.exporter.config.ReplagConfig;
import io.replag.lab.redis.RedisClusterLab;
import io.replag.lab.redis.RedisLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * replag's cluster mode against a real Redis Cluster (three nodes, the slots split among them): two
 * regions are given two nodes that do not serve the canaries' slot, so every write and read reaches
 * it through the cluster's slot map, as through a cluster-mode configuration endpoint. One cluster
 * has no replication to measure (a canary is seen as soon as it is written): this is the client's
 * test, with the least rights docs/configuration.md gives, and a shard that stops and comes back.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class RedisClusterIT {
    static final String US = "us-east-1", EU = "eu-west-1";

    static RedisClusterLab cluster;
    static ReplagRuntime runtime;
    static int canaryNode;

    record Seen(String source, String target, Arrival arrival) {
    }

    static final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        try {
            cluster = RedisClusterLab.start(3, RedisLab.ACL_RULES);
        } catch (RedisLab.Unavailable e) {
            System.out.println("SKIPPED RedisClusterIT: " + e.getMessage());
            Assumptions.abort(e.getMessage());
        }
        canaryNode = cluster.nodeOf("replag:{replag}:cluster-test:" + US);
        List<Integer> entries = cluster.ports().stream().filter(p -> p != cluster.ports().get(canaryNode)).toList();
        String yaml = """
                agent: cluster-test
                server: {listen: "127.0.0.1:0"}
                defaults: {native_interval: 1s}
                replication_sets:
                  - name: carts
                    store: redis
                    regions:
                      - {region: us-east-1, endpoint: "127.0.0.1:%d"}
                      - {region: eu-west-1, endpoint: "127.0.0.1:%d"}
                    redis:
                      cluster: true
                      user: %s
                      password: ${REDIS_PASSWORD}
                """.formatted(entries.get(0), entries.get(1), RedisLab.USER);
        ReplagConfig config = new ConfigLoader(Map.of("REDIS_PASSWORD", RedisLab.PASSWORD)::get).parse("cluster.yaml", yaml);
        runtime = new ReplagRuntime(config, null, (set, pair, a) -> seen.add(new Seen(pair.source(), pair.target(), a)));
        runtime.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (runtime != null) {
            runtime.stop().get(15, TimeUnit.SECONDS);
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    static long lastSeq(String source, String target) {
        return seen.stream().filter(s -> s.source.equals(source) && s.target.equals(target)).mapToLong(s -> s.arrival.seq()).max().orElse(0);
    }

    static double gauge(String name, String... tags) {
        Gauge g = runtime.registry().find(name).tag("store", "redis").tags(tags).gauge();
        return g == null ? Double.NaN : g.value();
    }

    static double errors() {
        return runtime.registry().find("replag.errors").tag("store", "redis").counters().stream().mapToDouble(Counter::count).sum();
    }

    static double errors(String op, String reason) {
        return runtime.registry().find("replag.errors").tag("store", "redis").tag("op", op).tag("reason", reason).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    @Test
    void a_bothPairsAreMeasuredThroughTheClustersSlotMapWithTheLeastRights() {
        Await.until(Duration.ofSeconds(30), "canaries of both regions seen in the other", () -> lastSeq(US, EU) > 3 && lastSeq(EU, US) > 3);
        List<Arrival> arrivals = seen.stream().map(Seen::arrival).toList();
        System.out.printf("RedisClusterIT: canaries on node %d of 3, regions on the other two: %d arrivals, median uncertainty %d ms, %.0f errors%n",
                canaryNode, arrivals.size(), arrivals.stream().mapToLong(Arrival::uncertaintyMicros).sorted().toArray()[arrivals.size() / 2] / 1000,
                errors());
        assertThat(arrivals).allMatch(a -> a.method() == Arrival.Method.CLIENT_CLOCK);
        assertThat(arrivals).as("one cluster: seen as soon as written, within the round trips").allMatch(a -> a.lowerMicros() <= 50_000);
        assertThat(gauge("replag.up", "region", US)).isEqualTo(1);
        assertThat(gauge("replag.up", "region", EU)).isEqualTo(1);
        assertThat(errors()).as("no call failed").isZero();
    }

    @Test
    void a2_replicationInfoComesFromTheShardThatHoldsTheCanaries() throws Exception {
        long[] before = new long[3];
        for (int node = 0; node < 3; node++) {
            before[node] = cluster.infoCalls(node);
        }
        long start = System.nanoTime();
        Await.until(Duration.ofSeconds(10), "several native intervals", () -> System.nanoTime() - start > 4_000_000_000L);
        for (int node = 0; node < 3; node++) {
            // each node's count includes the lab's own INFO commandstats above: one
            long calls = cluster.infoCalls(node) - before[node] - 1;
            System.out.printf("RedisClusterIT: node %d ran INFO %d times in 4 s%n", node, calls);
            if (node == canaryNode) {
                assertThat(calls).as("both ends of both pairs, once a second").isGreaterThanOrEqualTo(8);
            } else {
                assertThat(calls).as("a node that does not hold the canaries").isZero();
            }
        }
    }

    @Test
    void b_aStoppedShardIsDownWithItsReasonAndTheClusterIsMeasuredAgainWhenItReturns() throws Exception {
        Await.until(Duration.ofSeconds(30), "measuring", () -> lastSeq(US, EU) > 3);
        cluster.stopNode(canaryNode);
        Await.until(Duration.ofSeconds(30), "both regions down: their reads reach the stopped shard",
                () -> gauge("replag.up", "region", US) == 0 && gauge("replag.up", "region", EU) == 0);
        // every canary lives on that shard: nothing is written, so nothing is in flight to age; down and counted is what shows
        Await.until(Duration.ofSeconds(10), "failed writes and reads counted with their reason",
                () -> errors("write", "connection_refused") > 0 && errors("read", "connection_refused") > 0);

        cluster.startNode(canaryNode);
        long before = lastSeq(US, EU);
        Await.until(Duration.ofSeconds(60), "measured again", () -> gauge("replag.up", "region", US) == 1 && gauge("replag.up", "region", EU) == 1
                && lastSeq(US, EU) > before + 2 && gauge("replag.lag.seconds", "source_region", US, "target_region", EU) < 0.5);
    }
}
