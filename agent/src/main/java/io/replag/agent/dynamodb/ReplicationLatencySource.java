package io.replag.agent.dynamodb;

import io.replag.agent.cloudwatch.Datapoint;
import io.vertx.core.Future;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Where DynamoDB's own replication figure comes from: CloudWatch {@code AWS/DynamoDB}
 * {@code ReplicationLatency} (dimensions {@code TableName}, {@code ReceivingRegion}), published in
 * the region the item was written in. An interface so that the lab can serve figures too.
 */
public interface ReplicationLatencySource {

    /**
     * The datapoints between {@code from} and {@code to} for every receiving region, in one call; values are average milliseconds per one-minute period.
     *
     * @return receiving region to its datapoints, in any order
     */
    Future<Map<String, List<Datapoint>>> fetch(String sourceRegion, String table, List<String> receivingRegions,
                                               Instant from, Instant to);

    default void close() {
    }
}
