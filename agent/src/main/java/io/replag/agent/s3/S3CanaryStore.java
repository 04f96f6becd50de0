package io.replag.agent.s3;

import io.replag.agent.aws.AwsCredentials;
import io.replag.agent.aws.AwsErrors;
import io.replag.agent.cloudwatch.Datapoint;
import io.replag.agent.cloudwatch.MinuteFetches;
import io.replag.agent.cloudwatch.NativeFigure;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.Reason;
import io.replag.agent.spi.NativeLag;
import io.replag.agent.spi.ServerTime;
import io.replag.agent.spi.Sighting;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * S3 Cross-Region Replication: the canary is one small object per (agent, source region) under
 * the configured prefix of the source region's bucket, its seq and write time in user metadata.
 * Arrival is read in each rule's destination bucket; the source object's own
 * {@code x-amz-replication-status} is read as well, because FAILED is a cause, not just lag.
 */
public final class S3CanaryStore implements CanaryStore {
    /** S3's own error codes; the ones every AWS service shares, and HTTP statuses, are in AwsErrors. */
    /** The bucket is gone: prepare says so in its own words before the next write. */
    static final Reason BUCKET_MISSING = Reason.missing("bucket_missing");
    private static final Map<String, Reason> OWN_ERRORS = Map.ofEntries(
            Map.entry("SlowDown", Reason.THROTTLED), Map.entry("ServiceUnavailable", Reason.THROTTLED),
            Map.entry("NoSuchBucket", BUCKET_MISSING), Map.entry("AllAccessDisabled", Reason.ACCESS_DENIED),
            Map.entry("InvalidAccessKeyId", Reason.AUTH_FAILED), Map.entry("SignatureDoesNotMatch", Reason.AUTH_FAILED),
            Map.entry("InvalidToken", Reason.AUTH_FAILED), Map.entry("TokenRefreshRequired", Reason.AUTH_FAILED),
            Map.entry("PermanentRedirect", Reason.of("wrong_region")), Map.entry("AuthorizationHeaderMalformed", Reason.of("wrong_region")),
            Map.entry("IllegalLocationConstraintException", Reason.of("wrong_region")));
    static final String META_SEQ = "replag-seq";
    static final String META_WRITTEN_AT = "replag-written-at-us";
    static final String META_AGENT = "replag-agent";
    static final String META_WRITER = "replag-writer";
    static final String META_CLOCK_ERROR = "replag-clock-error-us";
    static final String META_PREV_SEQ = "replag-prev-seq";
    static final String META_PREV_COMMITTED = "replag-prev-committed-us";

    private final S3Options options;
    private final SdkAsyncHttpClient http;
    private final AwsCredentials credentials;
    private final Map<String, S3AsyncClient> clients = new LinkedHashMap<>();
    private final S3ReplicationMetricsSource metrics;
    private final Map<String, List<S3Rule>> rulesBySource = new HashMap<>();
    private final MinuteFetches<Map<String, Map<String, List<Datapoint>>>> nativeFetches = new MinuteFetches<>();

    /** With the set's own options, checked by the provider. */
    public S3CanaryStore(Vertx vertx, ReplicationSet set) {
        this(vertx, set, new S3StoreProvider().options(set));
    }

    public S3CanaryStore(Vertx vertx, ReplicationSet set, S3Options options) {
        this.options = options;
        this.http = NettyNioAsyncHttpClient.builder().maxConcurrency(64).connectionTimeout(Duration.ofSeconds(5)).build();
        this.credentials = new AwsCredentials(vertx, options.credentials(), options.roleArn());
        set.endpoints().forEach((region, endpoint) -> clients.put(region, client(region, endpoint)));
        this.metrics = options.metrics().orElseGet(() -> new CloudWatchS3ReplicationMetrics(http, credentials.provider()));
        for (S3Rule rule : options.rules()) {
            rulesBySource.computeIfAbsent(rule.source(), k -> new java.util.ArrayList<>()).add(rule);
        }
    }

    private S3AsyncClient client(String region, Endpoint endpoint) {
        var builder = S3AsyncClient.builder().region(Region.of(region)).httpClient(http).credentialsProvider(credentials.provider())
                .forcePathStyle(options.pathStyle())
                // checksums only where S3 requires them: S3-compatible labs reject the newer trailers
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // the engine puts its own timeout on every call and counts failures; SDK retries would hide them
                .overrideConfiguration(c -> c.retryStrategy(s -> s.maxAttempts(1)));
        if (!endpoint.isDefault()) {
            builder.endpointOverride(URI.create("http://" + endpoint.host() + ":" + endpoint.port()));
        }
        return builder.build();
    }

    private S3AsyncClient client(String region) {
        S3AsyncClient client = clients.get(region);
        if (client == null) {
            throw new IllegalArgumentException("no S3 client for region " + region);
        }
        return client;
    }

    @Override
    public Future<Void> prepareWriter(String region) {
        return Future.succeededFuture(); // the buckets and their rules are the user's; replag creates nothing
    }

    @Override
    public Future<ServerTime> write(String region, Canary canary) {
        Map<String, String> metadata = new java.util.HashMap<>(Map.of(
                META_SEQ, Long.toString(canary.seq()),
                META_WRITTEN_AT, Long.toString(canary.writtenAtMicros()),
                META_AGENT, canary.key().agent()));
        if (!canary.writer().isEmpty()) {
            // what an agent in another region needs to bound this canary without having written it
            metadata.put(META_WRITER, canary.writer());
            metadata.put(META_CLOCK_ERROR, Long.toString(canary.clockErrorMicros()));
        }
        if (canary.boundsPrevious()) {
            metadata.put(META_PREV_SEQ, Long.toString(canary.prevSeq()));
            metadata.put(META_PREV_COMMITTED, Long.toString(canary.prevCommittedMicros()));
        }
        String body = "replag canary " + canary.key().agent() + " " + canary.key().sourceRegion() + " seq " + canary.seq() + "\n";
        return credentials.ready().compose(v -> Future.fromCompletionStage(client(region).putObject(b -> b
                        .bucket(options.bucket(region)).key(options.objectKey(canary.key().agent(), canary.key().sourceRegion()))
                        .contentType("text/plain").metadata(metadata), AsyncRequestBody.fromString(body))))
                .map(ServerTime.UNKNOWN);
    }

    /**
     * GetObject rather than HeadObject: the same price and permission, but the answer to a missing
     * bucket says NoSuchBucket, where a HEAD's 404 cannot tell it from a canary not there yet.
     */
    @Override
    public Future<Sighting> read(String region, CanaryKey key) {
        return credentials.ready().compose(v -> Future.fromCompletionStage(client(region).getObject(b -> b
                        .bucket(options.bucket(region)).key(options.objectKey(key.agent(), key.sourceRegion())),
                        AsyncResponseTransformer.toBytes())))
                .map(response -> Sighting.of(canary(key, response.response().metadata())))
                .recover(e -> AwsCredentials.unwrap(e) instanceof NoSuchKeyException
                        ? Future.succeededFuture(Sighting.of(Optional.empty())) : Future.failedFuture(AwsCredentials.unwrap(e)));
    }

    static Optional<Canary> canary(CanaryKey key, Map<String, String> metadata) {
        String seq = metadata.get(META_SEQ);
        if (seq == null) {
            return Optional.empty(); // an object replag did not write
        }
        return Optional.of(new Canary(key, Long.parseLong(seq), number(metadata, META_WRITTEN_AT, 0), number(metadata, META_CLOCK_ERROR, 0),
                metadata.getOrDefault(META_WRITER, ""), number(metadata, META_PREV_SEQ, 0), number(metadata, META_PREV_COMMITTED, -1)));
    }

    private static long number(Map<String, String> metadata, String name, long absent) {
        String v = metadata.get(name);
        return v == null ? absent : Long.parseLong(v);
    }

    @Override
    public Optional<io.replag.agent.spi.BurstRecords> burst() {
        return Optional.of(new S3BurstRecords(options, this::client, credentials::ready, List.copyOf(clients.keySet())));
    }

    @Override
    public boolean reportsReplicationStatus() {
        return true;
    }

    @Override
    public List<String> replicationStatuses() {
        return ReplicationStatus.ALL;
    }

    @Override
    public Future<Optional<String>> readReplicationStatus(String region, CanaryKey key) {
        return credentials.ready().compose(v -> Future.fromCompletionStage(client(region).headObject(b -> b
                        .bucket(options.bucket(region)).key(options.objectKey(key.agent(), key.sourceRegion())))))
                .map(head -> Optional.of(ReplicationStatus.of(head.replicationStatusAsString())));
    }

    @Override
    public Future<List<NativeLag>> readNativeLag(String sourceRegion, String targetRegion) {
        return figure(sourceRegion, targetRegion, S3ReplicationMetricsSource.LATENCY)
                .map(seconds -> seconds.isPresent()
                        ? List.of(new NativeLag(S3ReplicationMetricsSource.LATENCY, seconds.getAsDouble()))
                        : List.<NativeLag>of());
    }

    @Override
    public boolean reportsNativeOperations() {
        return options.nativeFigure();
    }

    @Override
    public Future<Map<String, Double>> readNativeOperations(String sourceRegion, String targetRegion) {
        return natives(sourceRegion).map(all -> {
            Map<String, Double> out = new LinkedHashMap<>();
            Map<String, List<Datapoint>> forTarget = all.getOrDefault(targetRegion, Map.of());
            for (String metric : List.of(S3ReplicationMetricsSource.PENDING, S3ReplicationMetricsSource.FAILED)) {
                OptionalDouble value = NativeFigure.current(forTarget.getOrDefault(metric, List.of()), Instant.now(), NativeFigure.MAX_AGE);
                value.ifPresent(v -> out.put(metric, v));
            }
            return out;
        });
    }

    private Future<OptionalDouble> figure(String sourceRegion, String targetRegion, String metric) {
        return natives(sourceRegion).map(all -> NativeFigure.current(
                all.getOrDefault(targetRegion, Map.of()).getOrDefault(metric, List.of()), Instant.now(), NativeFigure.MAX_AGE));
    }

    private Future<Map<String, Map<String, List<Datapoint>>>> natives(String sourceRegion) {
        if (!options.nativeFigure()) {
            return Future.succeededFuture(Map.of());
        }
        List<S3Rule> rules = rulesBySource.getOrDefault(sourceRegion, List.of());
        // the lab's source needs no credentials; CloudWatch's client shares the store's
        return nativeFetches.get(sourceRegion, (from, to) -> (options.metrics().isPresent() ? Future.<Void>succeededFuture() : credentials.ready())
                .compose(v -> metrics.fetch(sourceRegion, options, rules, from, to)));
    }

    @Override
    public Optional<Reason> errorReason(Throwable failure) {
        return AwsErrors.reason(failure, OWN_ERRORS);
    }

    @Override
    public Future<Void> close() {
        clients.values().forEach(S3AsyncClient::close);
        metrics.close();
        http.close();
        return Future.succeededFuture();
    }
}
