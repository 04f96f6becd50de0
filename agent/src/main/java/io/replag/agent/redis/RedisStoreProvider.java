package io.replag.agent.redis;

import com.google.auto.service.AutoService;
import io.replag.agent.config.ConfigNode;
import io.replag.agent.config.LagThreshold;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.StoreProvider;
import io.replag.agent.spi.Topology;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code redis} store (Redis, Valkey; ElastiCache Global Datastore, MemoryDB Multi-Region):
 * config section {@code redis:} of a set with a primary and replicas (a Global Datastore,
 * {@code REPLICAOF}) or with a writer in every region (MemoryDB Multi-Region).
 */
@AutoService(StoreProvider.class)
public final class RedisStoreProvider implements StoreProvider<RedisOptions> {
    private static final Pattern KEY_PART = Pattern.compile("[A-Za-z0-9_.:/-]{0,64}");
    private static final Pattern HASH_TAG = Pattern.compile("[A-Za-z0-9_.:/-]{1,64}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,62}");
    private static final Set<String> TLS_MODES = Set.of("disable", "require", "verify-full");

    @Override
    public String key() {
        return "redis";
    }

    @Override
    public Class<RedisOptions> optionsType() {
        return RedisOptions.class;
    }

    @Override
    public Set<Topology> topologies() {
        return Set.of(Topology.PRIMARY_REPLICAS, Topology.EVERY_PAIR);
    }

    /** Caches replicate in milliseconds: a second is already unusual, ten are an incident. */
    @Override
    public LagThreshold lagThreshold() {
        return LagThreshold.of(Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    @Override
    public RedisOptions parseOptions(ConfigNode node, List<String> regions) {
        var b = RedisOptions.builder();
        if (!node.isPresent()) {
            return b.build();
        }
        node.get("key_prefix").matching(KEY_PART, "up to 64 of A-Z a-z 0-9 _ . : / -").ifPresent(b::keyPrefix);
        node.get("hash_tag").matching(HASH_TAG, "1 to 64 of A-Z a-z 0-9 _ . : / - (no braces)").ifPresent(b::hashTag);
        ConfigNode ttl = node.get("ttl");
        ttl.duration().ifPresent(d -> {
            if (d.compareTo(Duration.ofMinutes(1)) < 0) {
                ttl.error("must be at least 1m (a canary must outlive its deadline), found " + d.toMillis() + "ms");
            } else {
                b.ttl(d);
            }
        });
        node.get("user").string().ifPresent(b::user);
        boolean passwordGiven = node.get("password").isPresent() || node.get("password_file").isPresent();
        node.secretOrFile("password").ifPresent(b::password);
        ConfigNode iam = node.get("iam_auth");
        boolean iamAuth = iamAuth(iam, b, passwordGiven);
        ConfigNode tls = node.get("tls");
        boolean tlsOn = false;
        if (tls.isPresent() && tls.isMap()) {
            ConfigNode mode = tls.get("mode");
            String m = mode.string().filter(v -> {
                if (TLS_MODES.contains(v)) {
                    return true;
                }
                mode.error("must be one of disable, require, verify-full, found \"" + v + "\"");
                return false;
            }).orElse("verify-full");
            b.tls(new RedisOptions.Tls(m, tls.get("ca_file").readableFile()));
            tls.finish();
            tlsOn = !m.equals("disable");
        }
        ConfigNode cluster = node.get("cluster");
        boolean clusterMode = cluster.bool().orElse(false);
        b.cluster(clusterMode);
        ConfigNode clock = node.get("clock");
        clock.matching(Pattern.compile("server|client"), "server (the servers' TIME times each canary) or client (replag's clock)")
                .ifPresentOrElse(c -> {
                    if (c.equals("server") && clusterMode) {
                        clock.error("server needs TIME and the read in one batch on one node, which cluster mode does not offer: use client");
                    }
                    b.serverClock(c.equals("server"));
                }, () -> b.serverClock(!clusterMode));
        node.get("server_clock_error").durationWithin(Duration.ZERO, Duration.ofSeconds(10)).ifPresent(b::serverClockError);
        node.get("info").bool().ifPresent(b::info);
        b.cloudWatch(cloudWatch(node.get("cloudwatch"), regions));
        if (iamAuth && node.get("user").string().isEmpty()) {
            iam.error("IAM users are named: set user");
        }
        if (iamAuth && !tlsOn) {
            iam.error("IAM authentication needs TLS (ElastiCache and MemoryDB refuse it in clear): set tls.mode");
        }
        node.finish();
        return b.build();
    }

    /** {@code iam_auth: {service: elasticache|memorydb, cache_names: {region: name}}}: the user must be given too. */
    private static boolean iamAuth(ConfigNode node, RedisOptions.Builder b, boolean passwordGiven) {
        if (!node.isPresent()) {
            return false;
        }
        if (!node.holdsMap()) {
            node.error("must be {service: elasticache|memorydb, cache_names: {<region>: <replication group or cluster name>}}");
            return false;
        }
        if (passwordGiven) {
            node.error("IAM authentication replaces the password: remove password/password_file");
        }
        b.iamAuth(true);
        ConfigNode service = node.get("service");
        service.matching(Pattern.compile("elasticache|memorydb"), "elasticache or memorydb").ifPresent(b::iamService);
        ConfigNode names = node.get("cache_names");
        Map<String, String> byRegion = new LinkedHashMap<>();
        if (!names.isPresent()) {
            names.error("is required: {<region>: <replication group (ElastiCache) or cluster (MemoryDB) name>}");
        }
        for (String region : names.keys()) {
            ConfigNode name = names.get(region);
            if (!REGION.matcher(region).matches()) {
                name.error("must be keyed by an AWS region such as eu-west-1, found \"" + region + "\"");
                continue;
            }
            name.matching(NAME, "a replication group or cluster name").ifPresent(n -> byRegion.put(region, n));
        }
        names.finish();
        b.iamCacheName(byRegion);
        node.finish();
        return true;
    }

    /**
     * {@code cloudwatch: [{source, target, metric, dimensions: {Name: value}}]}: each a pair of the
     * set's regions, at most once (a figure for a pair the set does not probe would never show).
     */
    private static List<CloudWatchFigure> cloudWatch(ConfigNode node, List<String> regions) {
        List<CloudWatchFigure> figures = new ArrayList<>();
        java.util.Set<String> pairs = new java.util.HashSet<>();
        for (ConfigNode f : node.elements()) {
            if (!f.isMap()) {
                continue;
            }
            var source = f.get("source").requiredString().flatMap(s -> f.get("source").matching(REGION, "a region name such as us-east-1"))
                    .flatMap(s -> ofTheSet(f.get("source"), s, regions));
            var target = f.get("target").requiredString().flatMap(s -> f.get("target").matching(REGION, "a region name such as eu-west-1"))
                    .flatMap(s -> ofTheSet(f.get("target"), s, regions));
            if (source.isPresent() && target.isPresent()) {
                if (source.get().equals(target.get())) {
                    f.get("target").error("must differ from source, found \"" + target.get() + "\" for both");
                    target = java.util.Optional.empty();
                } else if (!pairs.add(source.get() + " " + target.get())) {
                    f.error("names the pair " + source.get() + " -> " + target.get() + " again: one figure per pair");
                }
            }
            ConfigNode metricNode = f.get("metric");
            var metric = metricNode.requiredString().flatMap(m -> {
                var known = CloudWatchFigure.Metric.byName(m);
                if (known.isEmpty()) {
                    metricNode.error("must be GlobalDatastoreReplicationLag or MultiRegionClusterReplicationLag, found \"" + m + "\"");
                }
                return known;
            });
            ConfigNode dims = f.get("dimensions");
            Map<String, String> dimensions = new LinkedHashMap<>();
            if (!dims.isPresent()) {
                dims.error("is required: the metric's dimensions as the CloudWatch console shows them, e.g. {CacheClusterId: orders-eu-001}");
            }
            for (String name : dims.keys()) {
                dims.get(name).requiredString().ifPresent(v -> dimensions.put(name, v));
            }
            dims.finish();
            f.finish();
            if (source.isPresent() && target.isPresent() && metric.isPresent()) {
                figures.add(new CloudWatchFigure(source.get(), target.get(), metric.get(), dimensions));
            }
        }
        return figures;
    }

    private static java.util.Optional<String> ofTheSet(ConfigNode node, String region, List<String> regions) {
        if (regions.contains(region)) {
            return java.util.Optional.of(region);
        }
        node.error("must be one of the set's regions " + String.join(", ", regions) + ", found \"" + region + "\"");
        return java.util.Optional.empty();
    }

    @Override
    public CanaryStore create(Vertx vertx, ReplicationSet set, RedisOptions options) {
        return new RedisCanaryStore(vertx, set, options);
    }
}
