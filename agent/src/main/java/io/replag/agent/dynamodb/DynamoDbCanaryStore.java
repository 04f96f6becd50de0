package io.replag.agent.dynamodb;

import io.replag.agent.cloudwatch.Datapoint;
import io.replag.agent.cloudwatch.MinuteFetches;
import io.replag.agent.cloudwatch.NativeFigure;

import io.replag.agent.aws.AwsCredentials;
import io.replag.agent.aws.AwsErrors;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ReplicationPair;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.Reason;
import io.replag.agent.spi.NativeLag;
import io.replag.agent.spi.ServerTime;
import io.replag.agent.spi.Sighting;
import io.replag.agent.spi.StaleSeqException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletionException;

/**
 * DynamoDB global tables: the canary is one item per (agent, source region) in the user's table,
 * written in the source region with a condition so that an older seq never replaces a newer one,
 * and read with {@code ConsistentRead} in each other region. Async SDK clients, one per region,
 * sharing one Netty HTTP client.
 */
public final class DynamoDbCanaryStore implements CanaryStore {
    /** DynamoDB's own error codes; the ones every AWS service shares are in AwsErrors. */
    private static final Map<String, Reason> OWN_ERRORS = Map.of(
            "ProvisionedThroughputExceededException", Reason.THROTTLED,
            "ResourceNotFoundException", Reason.TABLE_MISSING,
            "ValidationException", Reason.of("invalid_request"));

    private final Vertx vertx;
    private final DynamoDbOptions options;
    private final SdkAsyncHttpClient http;
    private final AwsCredentials credentials;
    private final Map<String, DynamoDbAsyncClient> clients = new LinkedHashMap<>();
    private final ReplicationLatencySource cloudWatch;
    private final Map<String, List<String>> targetsBySource = new HashMap<>();
    private final MinuteFetches<Map<String, List<Datapoint>>> nativeFetches = new MinuteFetches<>();

    /** With the set's own options, checked by the provider. */
    public DynamoDbCanaryStore(Vertx vertx, ReplicationSet set) {
        this(vertx, set, new DynamoDbStoreProvider().options(set));
    }

    public DynamoDbCanaryStore(Vertx vertx, ReplicationSet set, DynamoDbOptions options) {
        this.vertx = vertx;
        this.options = options;
        this.http = NettyNioAsyncHttpClient.builder().maxConcurrency(64)
                .connectionTimeout(Duration.ofSeconds(5)).build();
        this.credentials = new AwsCredentials(vertx, options.credentials(), options.roleArn());
        set.endpoints().forEach((region, endpoint) -> clients.put(region, client(region, endpoint)));
        this.cloudWatch = options.cloudWatch().orElseGet(() -> new CloudWatchReplicationLatency(http, credentials.provider()));
        for (ReplicationPair pair : set.pairs()) {
            targetsBySource.computeIfAbsent(pair.source(), k -> new java.util.ArrayList<>()).add(pair.target());
        }
    }

    private DynamoDbAsyncClient client(String region, Endpoint endpoint) {
        var builder = DynamoDbAsyncClient.builder().region(Region.of(region)).httpClient(http).credentialsProvider(credentials.provider())
                // the engine puts its own timeout on every call and counts failures; SDK retries would hide them
                .overrideConfiguration(c -> c.retryStrategy(s -> s.maxAttempts(1)));
        if (!endpoint.isDefault()) {
            builder.endpointOverride(URI.create("http://" + endpoint.host() + ":" + endpoint.port()));
        }
        return builder.build();
    }

    private Future<Void> credentialsReady() {
        return credentials.ready();
    }

    private DynamoDbAsyncClient client(String region) {
        DynamoDbAsyncClient client = clients.get(region);
        if (client == null) {
            throw new IllegalArgumentException("no DynamoDB client for region " + region);
        }
        return client;
    }

    Map<String, AttributeValue> key(CanaryKey key) {
        Map<String, AttributeValue> k = new HashMap<>();
        k.put(options.partitionKey(), AttributeValue.fromS(options.keyPrefix() + key.agent() + "/" + key.sourceRegion()));
        options.sortKey().ifPresent(sk -> k.put(sk, AttributeValue.fromS(options.sortKeyValue())));
        return k;
    }

    @Override
    public Future<Void> prepareWriter(String region) {
        return Future.succeededFuture(); // the global table is the user's; replag creates nothing
    }

    @Override
    public Future<ServerTime> write(String region, Canary canary) {
        Map<String, AttributeValue> item = key(canary.key());
        item.put("seq", AttributeValue.fromN(Long.toString(canary.seq())));
        item.put("written_at_us", AttributeValue.fromN(Long.toString(canary.writtenAtMicros())));
        item.put("agent", AttributeValue.fromS(canary.key().agent()));
        item.put("source_region", AttributeValue.fromS(canary.key().sourceRegion()));
        if (!canary.writer().isEmpty()) {
            // what an agent in another region needs to bound this canary without having written it
            item.put("writer", AttributeValue.fromS(canary.writer()));
            item.put("clock_error_us", AttributeValue.fromN(Long.toString(canary.clockErrorMicros())));
        }
        if (canary.boundsPrevious()) {
            item.put("prev_seq", AttributeValue.fromN(Long.toString(canary.prevSeq())));
            item.put("prev_committed_us", AttributeValue.fromN(Long.toString(canary.prevCommittedMicros())));
        }
        options.ttlAttribute().ifPresent(ttl -> item.put(ttl, AttributeValue.fromN(
                Long.toString(canary.writtenAtMicros() / 1_000_000 + options.ttl().toSeconds()))));
        PutItemRequest put = PutItemRequest.builder().tableName(options.table()).item(item)
                .conditionExpression("attribute_not_exists(#seq) OR #seq < :seq")
                .expressionAttributeNames(Map.of("#seq", "seq"))
                .expressionAttributeValues(Map.of(":seq", AttributeValue.fromN(Long.toString(canary.seq()))))
                .build();
        return credentialsReady().compose(v -> Future.fromCompletionStage(client(region).putItem(put))).map(ServerTime.UNKNOWN).recover(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return cause instanceof ConditionalCheckFailedException
                    ? Future.failedFuture(new StaleSeqException("item holds a seq >= " + canary.seq()))
                    : Future.failedFuture(cause);
        });
    }

    @Override
    public Future<Sighting> read(String region, CanaryKey key) {
        GetItemRequest get = GetItemRequest.builder().tableName(options.table()).key(key(key)).consistentRead(true)
                .projectionExpression("#seq, written_at_us, writer, clock_error_us, prev_seq, prev_committed_us")
                .expressionAttributeNames(Map.of("#seq", "seq")).build();
        return credentialsReady().compose(v -> Future.fromCompletionStage(client(region).getItem(get))).map(response -> {
            if (!response.hasItem() || response.item().isEmpty() || !response.item().containsKey("seq")) {
                return Sighting.of(Optional.empty());
            }
            Map<String, AttributeValue> item = response.item();
            return Sighting.of(Optional.of(new Canary(key, Long.parseLong(item.get("seq").n()), number(item, "written_at_us", 0),
                    number(item, "clock_error_us", 0), item.containsKey("writer") ? item.get("writer").s() : "",
                    number(item, "prev_seq", 0), number(item, "prev_committed_us", -1))));
        });
    }

    private static long number(Map<String, AttributeValue> item, String name, long absent) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? absent : Long.parseLong(v.n());
    }

    @Override
    public Future<List<NativeLag>> readNativeLag(String sourceRegion, String targetRegion) {
        if (!options.nativeFigure()) {
            return Future.succeededFuture(List.of());
        }
        List<String> targets = targetsBySource.getOrDefault(sourceRegion, List.of());
        // the lab's source needs no credentials; CloudWatch's client shares the store's
        return nativeFetches.get(sourceRegion, (from, to) -> (options.cloudWatch().isPresent() ? Future.<Void>succeededFuture() : credentialsReady())
                .compose(v -> cloudWatch.fetch(sourceRegion, options.table(), targets, from, to))).map(all -> {
            OptionalDouble seconds = NativeFigure.current(all.getOrDefault(targetRegion, List.of()), Instant.now(), NativeFigure.MAX_AGE);
            return seconds.isPresent() ? List.of(new NativeLag("ReplicationLatency", seconds.getAsDouble() / 1000.0)) : List.<NativeLag>of();
        });
    }

    @Override
    public Optional<io.replag.agent.spi.BurstRecords> burst() {
        return Optional.of(new DynamoDbBurstRecords(options, this::client, this::credentialsReady));
    }

    @Override
    public Optional<Reason> errorReason(Throwable failure) {
        return AwsErrors.reason(failure, OWN_ERRORS);
    }

    @Override
    public Future<Void> close() {
        clients.values().forEach(DynamoDbAsyncClient::close);
        cloudWatch.close();
        http.close();
        return Future.succeededFuture();
    }
}
