package io.replag.agent.dynamodb;

import io.replag.agent.spi.BurstRecords;
import io.replag.agent.spi.BurstRun;
import io.vertx.core.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * DynamoDB's side of {@code replag burst}: items {@code <key_prefix>burst/<agent>/<run>/<i>} in the
 * canary's table, written 25 at a time with BatchWriteItem (its unprocessed items are the
 * throttled ones) and read 100 at a time with a consistent BatchGetItem in each other region. They
 * expire through the table's TTL attribute when it has one (free, and it replicates); otherwise
 * the cleanup deletes them in the source, and the deletes replicate.
 */
final class DynamoDbBurstRecords implements BurstRecords {
    private static final int WRITE_BATCH = 25;
    private static final int READ_BATCH = 100;
    private static final int DELETES_IN_FLIGHT = 8;
    /** On-demand list prices, us-east-1, as README's cost table. */
    private static final double PER_WRITE = 0.625 / 1e6;
    private static final double PER_READ = 0.125 / 1e6;

    private final DynamoDbOptions options;
    private final Function<String, DynamoDbAsyncClient> client;
    private final Supplier<Future<Void>> credentialsReady;

    DynamoDbBurstRecords(DynamoDbOptions options, Function<String, DynamoDbAsyncClient> client, Supplier<Future<Void>> credentialsReady) {
        this.options = options;
        this.client = client;
        this.credentialsReady = credentialsReady;
    }

    @Override
    public int writeBatch() {
        return WRITE_BATCH;
    }

    @Override
    public int readBatch() {
        return READ_BATCH;
    }

    private Map<String, AttributeValue> key(BurstRun run, long index) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put(options.partitionKey(), AttributeValue.fromS(options.keyPrefix() + run.key(index)));
        options.sortKey().ifPresent(sk -> key.put(sk, AttributeValue.fromS(options.sortKeyValue())));
        return key;
    }

    private long index(BurstRun run, Map<String, AttributeValue> key) {
        String value = key.get(options.partitionKey()).s();
        return Long.parseLong(value.substring(options.keyPrefix().length() + run.prefix().length()));
    }

    @Override
    public Future<List<Long>> write(String region, BurstRun run, List<Long> indexes, long writtenAtMicros) {
        List<WriteRequest> puts = new ArrayList<>(indexes.size());
        for (long i : indexes) {
            Map<String, AttributeValue> item = key(run, i);
            item.put("written_at_us", AttributeValue.fromN(Long.toString(writtenAtMicros)));
            options.ttlAttribute().ifPresent(ttl -> item.put(ttl, AttributeValue.fromN(
                    Long.toString(writtenAtMicros / 1_000_000 + options.ttl().toSeconds()))));
            puts.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
        }
        BatchWriteItemRequest request = BatchWriteItemRequest.builder().requestItems(Map.of(options.table(), puts)).build();
        return credentialsReady.get().compose(v -> Future.fromCompletionStage(client.apply(region).batchWriteItem(request))).map(response -> {
            List<Long> refused = new ArrayList<>();
            response.unprocessedItems().getOrDefault(options.table(), List.of())
                    .forEach(w -> refused.add(index(run, w.putRequest().item())));
            return refused;
        });
    }

    @Override
    public Future<Read> read(String region, BurstRun run, List<Long> indexes) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>(indexes.size());
        indexes.forEach(i -> keys.add(key(run, i)));
        BatchGetItemRequest request = BatchGetItemRequest.builder().requestItems(Map.of(options.table(), KeysAndAttributes.builder()
                .keys(keys).consistentRead(true).projectionExpression("#pk").expressionAttributeNames(Map.of("#pk", options.partitionKey()))
                .build())).build();
        return credentialsReady.get().compose(v -> Future.fromCompletionStage(client.apply(region).batchGetItem(request))).map(response -> {
            List<Long> visible = new ArrayList<>();
            response.responses().getOrDefault(options.table(), List.of()).forEach(item -> visible.add(index(run, item)));
            List<Long> unanswered = new ArrayList<>();
            KeysAndAttributes left = response.unprocessedKeys().get(options.table());
            if (left != null) {
                left.keys().forEach(k -> unanswered.add(index(run, k)));
            }
            return new Read(visible, unanswered);
        });
    }

    @Override
    public Future<String> cleanup(String region, BurstRun run, long records) {
        if (options.ttlAttribute().isPresent()) {
            return Future.succeededFuture("left to the table's TTL (" + options.ttlAttribute().get() + ": "
                    + options.ttl().toHours() + " h after the write; DynamoDB removes expired items within a few days, free)");
        }
        // deletes replicate: the source alone; a few batches in flight, each retried while DynamoDB leaves items unprocessed
        List<Long> all = new ArrayList<>();
        for (long i = 0; i < records; i++) {
            all.add(i);
        }
        return deleteAll(region, run, all, 0).map(n -> "deleted " + n + " items in " + region + " (no ttl_attribute configured); the deletes replicate");
    }

    private Future<Long> deleteAll(String region, BurstRun run, List<Long> indexes, int from) {
        if (from >= indexes.size()) {
            return Future.succeededFuture(0L);
        }
        List<Future<Long>> wave = new ArrayList<>();
        int next = from;
        for (int k = 0; k < DELETES_IN_FLIGHT && next < indexes.size(); k++) {
            List<Long> batch = indexes.subList(next, Math.min(indexes.size(), next + WRITE_BATCH));
            next += batch.size();
            wave.add(delete(region, run, batch, 0));
        }
        int resume = next;
        return Future.all(wave).compose(done -> deleteAll(region, run, indexes, resume)
                .map(rest -> rest + wave.stream().mapToLong(Future::result).sum()));
    }

    private Future<Long> delete(String region, BurstRun run, List<Long> batch, int attempt) {
        List<WriteRequest> deletes = batch.stream().map(i -> WriteRequest.builder()
                .deleteRequest(DeleteRequest.builder().key(key(run, i)).build()).build()).toList();
        BatchWriteItemRequest request = BatchWriteItemRequest.builder().requestItems(Map.of(options.table(), deletes)).build();
        return credentialsReady.get().compose(v -> Future.fromCompletionStage(client.apply(region).batchWriteItem(request))).compose(response -> {
            List<Long> left = new ArrayList<>();
            response.unprocessedItems().getOrDefault(options.table(), List.of()).forEach(w -> left.add(index(run, w.deleteRequest().key())));
            if (left.isEmpty() || attempt >= 10) {
                return Future.succeededFuture((long) (batch.size() - left.size()));
            }
            return delete(region, run, left, attempt + 1).map(n -> n + batch.size() - left.size());
        });
    }

    @Override
    public String costEstimate(long records, int targets, double readsPerRecord) {
        boolean deletes = options.ttlAttribute().isEmpty();
        double writes = records * (1.0 + targets) * (deletes ? 2 : 1);
        double reads = records * targets * readsPerRecord;
        return String.format(Locale.ROOT, "%,.0f write units (the records and their replication to %d region(s)%s) at $0.625 per million: $%.2f; "
                        + "%,.0f consistent read units at $0.125 per million: $%.2f; about $%.2f in all (on-demand)",
                writes, targets, deletes ? ", and as many again for the cleanup's deletes: set ttl_attribute to have TTL remove them free" : "",
                writes * PER_WRITE, reads, reads * PER_READ, writes * PER_WRITE + reads * PER_READ);
    }
}
