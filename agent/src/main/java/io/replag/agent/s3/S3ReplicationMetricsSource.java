package io.replag.agent.s3;

import io.replag.agent.cloudwatch.Datapoint;
import io.vertx.core.Future;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Where S3's own replication figures come from: CloudWatch {@code AWS/S3}, published in the
 * source bucket's region per rule (dimensions {@code SourceBucket}, {@code DestinationBucket},
 * {@code RuleId}) once replication metrics or Replication Time Control are enabled. An interface
 * so that the lab can serve figures too.
 */
public interface S3ReplicationMetricsSource {
    /** Maximum replication latency in seconds per one-minute period. */
    String LATENCY = "ReplicationLatency";
    /** Operations waiting to be replicated (maximum per period). */
    String PENDING = "OperationsPendingReplication";
    /** Operations that failed to replicate (sum per period). */
    String FAILED = "OperationsFailedReplication";
    List<String> METRICS = List.of(LATENCY, PENDING, FAILED);

    /**
     * The datapoints between {@code from} and {@code to} of every metric in {@link #METRICS} for
     * each rule that has a rule ID, in one call per source region.
     *
     * @return target region to metric name to its datapoints, in any order
     */
    Future<Map<String, Map<String, List<Datapoint>>>> fetch(String sourceRegion, S3Options options, List<S3Rule> rules,
                                                           Instant from, Instant to);

    default void close() {
    }
}
