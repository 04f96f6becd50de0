package io.replag.agent.dynamodb;

import com.google.auto.service.AutoService;
import io.replag.agent.dynamodb.DynamoDbOptions;
import io.replag.agent.config.ConfigNode;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.StoreProvider;
import io.vertx.core.Vertx;

import java.util.regex.Pattern;

/** The {@code dynamodb} store: config section {@code dynamodb:} of a multi-writer set. */
@AutoService(StoreProvider.class)
public final class DynamoDbStoreProvider implements StoreProvider<DynamoDbOptions> {
    private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_.-]{3,255}");
    private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z0-9_.-]{1,255}");
    private static final Pattern ROLE = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+");

    @Override
    public String key() {
        return "dynamodb";
    }

    @Override
    public Class<DynamoDbOptions> optionsType() {
        return DynamoDbOptions.class;
    }

    @Override
    public java.util.Set<io.replag.agent.spi.Topology> topologies() {
        return java.util.Set.of(io.replag.agent.spi.Topology.EVERY_PAIR);
    }

    @Override
    public boolean endpointRequired() {
        return false;
    }

    /** Global tables replicate in about a second: 10 s is already unusual, a minute is an incident. */
    @Override
    public io.replag.agent.config.LagThreshold lagThreshold() {
        return io.replag.agent.config.LagThreshold.of(java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(60));
    }

    @Override
    public DynamoDbOptions parseOptions(ConfigNode node, java.util.List<String> regions) {
        if (!node.isPresent()) {
            node.error("is required: at least the table name");
            return null;
        }
        String table = node.get("table").requiredString()
                .flatMap(t -> node.get("table").matching(TABLE, "a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)"))
                .orElse("invalid");
        var b = DynamoDbOptions.builder(table);
        node.get("partition_key").matching(ATTRIBUTE, "an attribute name").ifPresent(b::partitionKey);
        node.get("key_prefix").string().ifPresent(b::keyPrefix);
        node.get("sort_key").matching(ATTRIBUTE, "an attribute name").ifPresent(b::sortKey);
        node.get("sort_key_value").string().ifPresent(b::sortKeyValue);
        node.get("ttl_attribute").matching(ATTRIBUTE, "an attribute name").ifPresent(b::ttlAttribute);
        node.get("ttl").duration().ifPresent(b::ttl);
        node.get("role_arn").matching(ROLE, "an IAM role ARN such as arn:aws:iam::123456789012:role/replag").ifPresent(b::roleArn);
        node.get("native_figure").bool().ifPresent(b::nativeFigure);
        node.finish();
        return b.build();
    }

    @Override
    public CanaryStore create(Vertx vertx, ReplicationSet set, DynamoDbOptions options) {
        return new DynamoDbCanaryStore(vertx, set, options);
    }
}
