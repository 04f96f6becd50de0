package io.replag.lab.dynamodb;

import com.google.auto.service.AutoService;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.dynamodb.DynamoDbOptions;
import io.replag.lab.LabRegions;
import io.replag.lab.LabStore;
import io.replag.lab.LabStoreProvider;
import io.replag.lab.LinkChange;
import io.replag.lab.distance.Geography;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.util.Map;
import java.util.Optional;

/** The DynamoDB lab in the demo: global table {@code sessions}, a dynalite per region, every region writing. */
@AutoService(LabStoreProvider.class)
public final class DynamoLabProvider implements LabStoreProvider {
    public static final String TABLE = "sessions";
    /** Global tables typically replicate in 0.5 to 2.5 s, and jitter. */
    public static final long DELAY_MS = 500, JITTER_MS = 2_000;

    @Override
    public String store() {
        return "dynamodb";
    }

    @Override
    public LabStore start(LabRegions regions, Geography geography) throws Exception {
        return DynamoLab.start(regions.all(), TABLE, "pk", geography);
    }

    /** The demo's convergence probe: a round every 15 s (1 minute in production), so that it shows at once. */
    public static final io.replag.agent.config.Convergence CONVERGENCE = new io.replag.agent.config.Convergence(
            java.time.Duration.ofSeconds(15), java.time.Duration.ofSeconds(10));

    @Override
    public String setName() {
        return TABLE;
    }

    @Override
    public ReplicationSet demoSet(LabStore lab, LabRegions regions, Map<String, Endpoint> endpoints, ProbeTiming timing) {
        ProbeTiming withConvergence = timing.convergence().isPresent() ? timing : timing.toBuilder().convergence(CONVERGENCE).build();
        return new ReplicationSet(TABLE, store(), endpoints, ReplicationSet.multiWriter(regions.all()), withConvergence,
                DynamoDbOptions.builder(TABLE).partitionKey("pk").cloudWatch(new LabReplicationLatency((DynamoLab) lab))
                        .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("lab", "lab"))).build());
    }

    /** dynalite accepts any signature. */
    @Override
    public Optional<ReplicationSet> withWrongCredentials(ReplicationSet demo) {
        return Optional.empty();
    }

    @Override
    public ReplicationSet withMissingResource(ReplicationSet demo) {
        return LabStoreProvider.withOptions(demo, DynamoDbOptions.builder("no_such_table").partitionKey("pk")
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("lab", "lab"))).build());
    }

    @Override
    public Optional<LinkChange> awsLikeDelay() {
        return Optional.of(LinkChange.delay(DELAY_MS, JITTER_MS));
    }
}
