package io.replag.agent.redis;

import io.replag.agent.config.ConfigErrors;
import io.replag.agent.config.ConfigNode;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.Topology;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RedisStoreProviderTest {
    private final RedisStoreProvider provider = new RedisStoreProvider();

    private record Parsed(RedisOptions options, List<String> errors) {
    }

    private Parsed parse(Map<String, Object> section) {
        ConfigErrors errors = new ConfigErrors();
        ConfigNode root = ConfigNode.root(Map.of("redis", section), errors, name -> name.equals("REDIS_TOKEN") ? "s3cret-token" : null);
        RedisOptions options = provider.parseOptions(root.get("redis"), List.of("us-east-1", "eu-west-1"));
        return new Parsed(options, errors.list());
    }

    @Test
    void takesBothShapesOneWriterForAGlobalDatastoreAndEveryPairForMemoryDbMultiRegion() {
        assertThat(provider.topologies()).containsExactlyInAnyOrder(Topology.PRIMARY_REPLICAS, Topology.EVERY_PAIR);
    }

    @Test
    void defaultsNeedNoSectionAndPutEveryCanaryKeyInOneHashSlot() {
        RedisOptions o = parse(Map.of()).options();
        assertThat(o.key(new CanaryKey("replag@us-east-1", "us-east-1"))).isEqualTo("replag:{replag}:replag@us-east-1:us-east-1");
        assertThat(o.serverClock()).isTrue();
        assertThat(o.info()).isTrue();
        assertThat(o.ttl()).isEqualTo(Duration.ofDays(1));
        assertThat(o.tls().enabled()).isFalse();
    }

    @Test
    void readsEveryKey() {
        Parsed p = parse(Map.of("key_prefix", "mon:", "hash_tag", "canary", "ttl", "2h", "user", "replag",
                "password", "${REDIS_TOKEN}", "tls", Map.of("mode", "require"), "clock", "client", "server_clock_error", "2ms",
                "info", false, "cloudwatch", List.of(Map.of("source", "us-east-1", "target", "eu-west-1",
                        "metric", "GlobalDatastoreReplicationLag", "dimensions", Map.of("CacheClusterId", "orders-eu-001")))));
        assertThat(p.errors()).isEmpty();
        RedisOptions o = p.options();
        assertThat(o.key(new CanaryKey("a", "us-east-1"))).isEqualTo("mon:{canary}:a:us-east-1");
        assertThat(o.ttl()).isEqualTo(Duration.ofHours(2));
        assertThat(o.user()).contains("replag");
        assertThat(o.password().orElseThrow().reveal()).isEqualTo("s3cret-token");
        assertThat(o.tls().mode()).isEqualTo("require");
        assertThat(o.serverClock()).isFalse();
        assertThat(o.serverClockError()).isEqualTo(Duration.ofMillis(2));
        assertThat(o.info()).isFalse();
        assertThat(o.cloudWatch()).containsExactly(new CloudWatchFigure("us-east-1", "eu-west-1",
                CloudWatchFigure.Metric.GLOBAL_DATASTORE, Map.of("CacheClusterId", "orders-eu-001")));
    }

    @Test
    void iamAuthNamesItsServiceAndCacheAndNeedsTlsAndNoPassword() {
        Parsed ok = parse(Map.of("user", "replag-iam", "tls", Map.of("mode", "verify-full"),
                "iam_auth", Map.of("service", "memorydb", "cache_names", Map.of("us-east-1", "orders-use1"))));
        assertThat(ok.errors()).isEmpty();
        assertThat(ok.options().iamAuth()).isTrue();
        assertThat(ok.options().iamService()).isEqualTo("memorydb");
        assertThat(ok.options().iamCacheName()).containsEntry("us-east-1", "orders-use1");

        Parsed clear = parse(Map.of("user", "replag-iam", "password", "x",
                "iam_auth", Map.of("cache_names", Map.of("us-east-1", "orders-use1"))));
        assertThat(clear.errors()).contains("redis.iam_auth: IAM authentication replaces the password: remove password/password_file",
                "redis.iam_auth: IAM authentication needs TLS (ElastiCache and MemoryDB refuse it in clear): set tls.mode");
        assertThat(parse(Map.of("tls", Map.of("mode", "verify-full"), "iam_auth", Map.of("cache_names", Map.of("us-east-1", "o")))).errors())
                .contains("redis.iam_auth: IAM users are named: set user");
    }

    @Test
    void badValuesNameTheirKeyAndValue() {
        Parsed p = parse(Map.of("ttl", "10s", "tls", Map.of("mode", "verify-ca"), "cluster", true, "clock", "server",
                "colour", "blue", "cloudwatch", List.of(Map.of("source", "us-east-1", "target", "eu-west-1", "metric", "ReplicationLag"))));
        assertThat(p.errors()).contains(
                "redis.ttl: must be at least 1m (a canary must outlive its deadline), found 10000ms",
                "redis.tls.mode: must be one of disable, require, verify-full, found \"verify-ca\"",
                "redis.clock: server needs TIME and the read in one batch on one node, which cluster mode does not offer: use client",
                "redis.cloudwatch[0].metric: must be GlobalDatastoreReplicationLag or MultiRegionClusterReplicationLag, found \"ReplicationLag\"",
                "redis.cloudwatch[0].dimensions: is required: the metric's dimensions as the CloudWatch console shows them, e.g. {CacheClusterId: orders-eu-001}");
        assertThat(p.errors()).anyMatch(e -> e.startsWith("redis.colour: unknown key"));
    }

    @Test
    void aCloudWatchFigureNamesAPairOfTheSetsRegionsOnce() {
        Map<String, Object> dims = Map.of("CacheClusterId", "orders-eu-001");
        Parsed p = parse(Map.of("cloudwatch", List.of(
                Map.of("source", "us-east-1", "target", "ap-southeast-2", "metric", "GlobalDatastoreReplicationLag", "dimensions", dims),
                Map.of("source", "eu-west-1", "target", "eu-west-1", "metric", "GlobalDatastoreReplicationLag", "dimensions", dims),
                Map.of("source", "us-east-1", "target", "eu-west-1", "metric", "GlobalDatastoreReplicationLag", "dimensions", dims),
                Map.of("source", "us-east-1", "target", "eu-west-1", "metric", "GlobalDatastoreReplicationLag", "dimensions", dims))));
        assertThat(p.errors()).containsExactly(
                "redis.cloudwatch[0].target: must be one of the set's regions us-east-1, eu-west-1, found \"ap-southeast-2\"",
                "redis.cloudwatch[1].target: must differ from source, found \"eu-west-1\" for both",
                "redis.cloudwatch[3]: names the pair us-east-1 -> eu-west-1 again: one figure per pair");
    }

    @Test
    void clusterModeTimesWithReplagsClockUnlessToldOtherwise() {
        assertThat(parse(Map.of("cluster", true)).options().serverClock()).isFalse();
    }

    @Test
    void noSecretIsEchoedInAnError() {
        Parsed p = parse(Map.of("password", "${REDIS_TOKEN}", "password_file", "/nonexistent"));
        assertThat(String.join("\n", p.errors())).doesNotContain("s3cret-token");
    }
}
