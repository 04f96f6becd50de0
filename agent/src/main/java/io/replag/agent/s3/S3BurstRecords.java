package io.replag.agent.s3;

import io.replag.agent.aws.AwsCredentials;
import io.replag.agent.spi.BurstRecords;
import io.replag.agent.spi.BurstRun;
import io.vertx.core.Future;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * S3's side of {@code replag burst}: small objects {@code <prefix>burst/<agent>/<run>/<i>} under the
 * canaries' prefix, so the replication rule that carries the canaries carries them. S3 has no
 * batch write or read: one PUT per record in the source, one GET per record and read in each
 * destination (GET, as the canary's read, so that a missing bucket is not taken for a missing
 * object). The cleanup deletes them in every bucket of the set with DeleteObjects (1,000 keys a
 * call, free); on a versioned bucket that leaves delete markers, and the noncurrent versions go
 * with the lifecycle rule of deploy/s3/lifecycle.json.
 */
final class S3BurstRecords implements BurstRecords {
    private static final int DELETE_BATCH = 1000;
    /** Standard storage class, us-east-1, as README's cost table. */
    private static final double PER_PUT = 0.005 / 1000;
    private static final double PER_GET = 0.0004 / 1000;

    private final S3Options options;
    private final Function<String, S3AsyncClient> client;
    private final Supplier<Future<Void>> credentialsReady;
    private final List<String> regions;

    S3BurstRecords(S3Options options, Function<String, S3AsyncClient> client, Supplier<Future<Void>> credentialsReady, List<String> regions) {
        this.options = options;
        this.client = client;
        this.credentialsReady = credentialsReady;
        this.regions = List.copyOf(regions);
    }

    String key(BurstRun run, long index) {
        return options.prefix() + run.key(index);
    }

    @Override
    public int writeBatch() {
        return 1;
    }

    @Override
    public int readBatch() {
        return 1;
    }

    @Override
    public Future<List<Long>> write(String region, BurstRun run, List<Long> indexes, long writtenAtMicros) {
        long index = indexes.get(0);
        return credentialsReady.get().compose(v -> Future.fromCompletionStage(client.apply(region).putObject(b -> b
                        .bucket(options.bucket(region)).key(key(run, index)).contentType("text/plain")
                        .metadata(java.util.Map.of(S3CanaryStore.META_WRITTEN_AT, Long.toString(writtenAtMicros))),
                AsyncRequestBody.fromString("replag burst " + run.id() + " " + index + "\n"))))
                .map(List.of());
    }

    @Override
    public Future<Read> read(String region, BurstRun run, List<Long> indexes) {
        long index = indexes.get(0);
        return credentialsReady.get().compose(v -> Future.fromCompletionStage(client.apply(region).getObject(b -> b
                        .bucket(options.bucket(region)).key(key(run, index)),
                        software.amazon.awssdk.core.async.AsyncResponseTransformer.toBytes())))
                .map(found -> Read.of(List.of(index)))
                .recover(e -> AwsCredentials.unwrap(e) instanceof NoSuchKeyException
                        ? Future.succeededFuture(Read.of(List.of())) : Future.failedFuture(AwsCredentials.unwrap(e)));
    }

    /** Deletes in every bucket of the set: S3 replicates deletes only where delete marker replication is on. */
    @Override
    public Future<String> cleanup(String region, BurstRun run, long records) {
        List<Future<Long>> perRegion = new ArrayList<>();
        for (String r : regions) {
            perRegion.add(deleteFrom(r, run, records, 0));
        }
        return Future.all(perRegion).map(all -> {
            long deleted = perRegion.stream().mapToLong(Future::result).sum();
            return "deleted the run's " + records + " keys in " + regions.size() + " bucket(s): " + deleted
                    + " deletes acknowledged (versioned buckets keep noncurrent versions until their lifecycle rule)";
        });
    }

    private Future<Long> deleteFrom(String region, BurstRun run, long records, long from) {
        if (from >= records) {
            return Future.succeededFuture(0L);
        }
        List<ObjectIdentifier> keys = new ArrayList<>();
        for (long i = from; i < Math.min(records, from + DELETE_BATCH); i++) {
            keys.add(ObjectIdentifier.builder().key(key(run, i)).build());
        }
        return credentialsReady.get().compose(v -> Future.fromCompletionStage(client.apply(region).deleteObjects(b -> b
                        .bucket(options.bucket(region)).delete(d -> d.objects(keys).quiet(false)))))
                .map(response -> (long) response.deleted().size())
                .recover(e -> notImplemented(e) ? deleteOneByOne(region, keys, 0) : Future.failedFuture(AwsCredentials.unwrap(e)))
                .compose(deleted -> deleteFrom(region, run, records, from + DELETE_BATCH).map(rest -> rest + deleted));
    }

    /** An S3-compatible server that does not take DeleteObjects as the SDK sends it (501): one DeleteObject per key. */
    private static boolean notImplemented(Throwable e) {
        return AwsCredentials.unwrap(e) instanceof software.amazon.awssdk.services.s3.model.S3Exception s3 && s3.statusCode() == 501;
    }

    private Future<Long> deleteOneByOne(String region, List<ObjectIdentifier> keys, int from) {
        if (from >= keys.size()) {
            return Future.succeededFuture(0L);
        }
        List<Future<?>> wave = new ArrayList<>();
        int to = Math.min(keys.size(), from + 16);
        for (int k = from; k < to; k++) {
            String key = keys.get(k).key();
            wave.add(Future.fromCompletionStage(client.apply(region).deleteObject(b -> b.bucket(options.bucket(region)).key(key))));
        }
        return Future.all(wave).compose(done -> deleteOneByOne(region, keys, to).map(rest -> rest + wave.size()));
    }

    @Override
    public String costEstimate(long records, int targets, double readsPerRecord) {
        double puts = records * (1.0 + targets);
        double gets = records * targets * readsPerRecord;
        return String.format(Locale.ROOT, "%,.0f PUTs (the objects and their replicas in %d bucket(s)) at $0.005 per 1,000: $%.2f; "
                        + "%,.0f GETs at $0.0004 per 1,000: $%.2f; DeleteObjects free; about $%.2f in all",
                puts, targets, puts * PER_PUT, gets, gets * PER_GET, puts * PER_PUT + gets * PER_GET);
    }
}
