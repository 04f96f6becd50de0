package io.replag.agent.dynamodb;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a replication set reaches its DynamoDB global table.
 *
 * <p>The canary is one item per (agent, source region) in the user's own table, so its key must
 * fit the table's key schema: {@code partitionKey} names the table's partition key attribute and
 * the canary's value there is {@code keyPrefix + agent + "/" + sourceRegion}; if the table has a
 * sort key, {@code sortKey} names it and {@code sortKeyValue} is the canary's value there.
 *
 * @param table        the global table's name (the same in every region)
 * @param partitionKey the table's partition key attribute (type S)
 * @param keyPrefix    prefix of the canary's partition key value
 * @param sortKey      the table's sort key attribute (type S), if it has one
 * @param sortKeyValue the canary's sort key value
 * @param ttlAttribute the table's TTL attribute, if any: canaries of a retired agent then expire
 * @param ttl          how long after its last write a canary may expire
 * @param roleArn      an IAM role to assume for all calls, if any
 * @param nativeFigure read CloudWatch ReplicationLatency as the native figure
 * @param cloudWatch   where the native figure comes from; empty: CloudWatch itself (the demo
 *                     passes the lab's figures here)
 * @param credentials  credentials to use instead of the default chain (the demo's lab regions);
 *                     never read from the config file
 */
public record DynamoDbOptions(String table, String partitionKey, String keyPrefix, Optional<String> sortKey,
                              String sortKeyValue, Optional<String> ttlAttribute, Duration ttl, Optional<String> roleArn,
                              boolean nativeFigure, Optional<ReplicationLatencySource> cloudWatch,
                              Optional<AwsCredentialsProvider> credentials) implements io.replag.agent.spi.StoreOptions {

    public DynamoDbOptions {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(partitionKey, "partitionKey");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(sortKey, "sortKey");
        Objects.requireNonNull(sortKeyValue, "sortKeyValue");
        Objects.requireNonNull(ttlAttribute, "ttlAttribute");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(roleArn, "roleArn");
        Objects.requireNonNull(cloudWatch, "cloudWatch");
        Objects.requireNonNull(credentials, "credentials");
    }

    public static Builder builder(String table) {
        return new Builder(table);
    }

    public static final class Builder {
        private final String table;
        private String partitionKey = "pk";
        private String keyPrefix = "replag/";
        private Optional<String> sortKey = Optional.empty();
        private String sortKeyValue = "canary";
        private Optional<String> ttlAttribute = Optional.empty();
        private Duration ttl = Duration.ofDays(1);
        private Optional<String> roleArn = Optional.empty();
        private boolean nativeFigure = true;
        private Optional<ReplicationLatencySource> cloudWatch = Optional.empty();
        private Optional<AwsCredentialsProvider> credentials = Optional.empty();

        private Builder(String table) {
            this.table = table;
        }

        public Builder partitionKey(String v) { partitionKey = v; return this; }
        public Builder keyPrefix(String v) { keyPrefix = v; return this; }
        public Builder sortKey(String v) { sortKey = Optional.ofNullable(v); return this; }
        public Builder sortKeyValue(String v) { sortKeyValue = v; return this; }
        public Builder ttlAttribute(String v) { ttlAttribute = Optional.ofNullable(v); return this; }
        public Builder ttl(Duration v) { ttl = v; return this; }
        public Builder roleArn(String v) { roleArn = Optional.ofNullable(v); return this; }
        public Builder nativeFigure(boolean v) { nativeFigure = v; return this; }
        public Builder cloudWatch(ReplicationLatencySource v) { cloudWatch = Optional.ofNullable(v); return this; }
        public Builder credentials(AwsCredentialsProvider v) { credentials = Optional.ofNullable(v); return this; }

        public DynamoDbOptions build() {
            return new DynamoDbOptions(table, partitionKey, keyPrefix, sortKey, sortKeyValue, ttlAttribute, ttl, roleArn,
                    nativeFigure, cloudWatch, credentials);
        }
    }
}
