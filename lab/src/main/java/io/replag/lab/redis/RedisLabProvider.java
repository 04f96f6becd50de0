package io.replag.lab.redis;

import com.google.auto.service.AutoService;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.config.Secret;
import io.replag.agent.redis.CloudWatchFigure;
import io.replag.agent.redis.RedisOptions;
import io.replag.lab.LabRegions;
import io.replag.lab.LabStore;
import io.replag.lab.LabStoreProvider;
import io.replag.lab.distance.Geography;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The Redis lab in the demo: set {@code sessions-cache}, a primary with a replica in each other region,
 * as an ElastiCache Global Datastore, with the lab's GlobalDatastoreReplicationLag per pair.
 */
@AutoService(LabStoreProvider.class)
public final class RedisLabProvider implements LabStoreProvider {
    public static final String SET = "sessions-cache";

    @Override
    public String store() {
        return "redis";
    }

    @Override
    public LabStore start(LabRegions regions, Geography geography) throws Exception {
        return RedisLab.start(regions.primary(), regions.replicas(), geography);
    }

    @Override
    public String setName() {
        return SET;
    }

    @Override
    public ReplicationSet demoSet(LabStore lab, LabRegions regions, Map<String, Endpoint> endpoints, ProbeTiming timing) {
        RedisOptions.Builder options = options(Secret.of(RedisLab.PASSWORD))
                .cloudWatch(regions.replicas().stream().map(replica -> new CloudWatchFigure(regions.primary(), replica,
                        CloudWatchFigure.Metric.GLOBAL_DATASTORE, Map.of("CacheClusterId", "lab-" + replica + "-001"))).toList());
        if (lab instanceof RedisLab redis) {
            options.cloudWatchSource(new LabRedisLag(redis));
        }
        return new ReplicationSet(SET, store(), endpoints, ReplicationSet.singleWriter(regions.primary(), regions.replicas()), timing,
                options.build());
    }

    private static RedisOptions.Builder options(Secret password) {
        return RedisOptions.builder().user(RedisLab.USER).password(password);
    }

    @Override
    public Optional<ReplicationSet> withWrongCredentials(ReplicationSet demo) {
        RedisOptions o = (RedisOptions) demo.options();
        return Optional.of(LabStoreProvider.withOptions(demo, o.toBuilder().password(Secret.of("not-the-password")).build()));
    }

    /** The write script no server has loaded: NOSCRIPT, as after a restart or a failover empties the script cache. */
    @Override
    public ReplicationSet withMissingResource(ReplicationSet demo) {
        RedisOptions o = (RedisOptions) demo.options();
        return LabStoreProvider.withOptions(demo, o.toBuilder().scriptVariant("never loaded " + UUID.randomUUID()).build());
    }
}
