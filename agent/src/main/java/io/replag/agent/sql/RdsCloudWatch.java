package io.replag.agent.sql;

import io.replag.agent.aws.AwsCredentials;
import io.replag.agent.cloudwatch.CloudWatchClients;
import io.replag.agent.cloudwatch.Datapoint;
import io.replag.agent.cloudwatch.MinuteFetches;
import io.replag.agent.cloudwatch.NativeFigure;
import io.replag.agent.spi.NativeLag;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * RDS's own replication figures from CloudWatch {@code AWS/RDS}, published in the replica's (or
 * secondary cluster's) region: {@code ReplicaLag} (seconds, per {@code DBInstanceIdentifier}) and,
 * for Aurora global databases, {@code AuroraGlobalDBReplicationLag} and
 * {@code AuroraGlobalDBRPOLag} (milliseconds, per secondary {@code DBClusterIdentifier}). Read
 * once a minute per region with one GetMetricData call; the newest complete minute is shown, and
 * nothing when it is more than 5 minutes old.
 */
public final class RdsCloudWatch {
    static final String REPLICA_LAG = "ReplicaLag";
    static final String GLOBAL_REPLICATION_LAG = "AuroraGlobalDBReplicationLag";
    static final String GLOBAL_RPO_LAG = "AuroraGlobalDBRPOLag";

    /**
     * What to read, by replica region.
     *
     * @param replicaInstances  region to the replica's DB instance identifier ({@code ReplicaLag})
     * @param secondaryClusters region to the secondary cluster's identifier (Aurora global database lags)
     */
    public record Targets(Map<String, String> replicaInstances, Map<String, String> secondaryClusters) {
        public static final Targets NONE = new Targets(Map.of(), Map.of());

        public Targets {
            replicaInstances = Map.copyOf(replicaInstances);
            secondaryClusters = Map.copyOf(secondaryClusters);
        }

        public boolean isEmpty() {
            return replicaInstances.isEmpty() && secondaryClusters.isEmpty();
        }
    }


    private final Targets targets;
    private final AwsCredentials credentials;
    private final SdkAsyncHttpClient http;
    private final CloudWatchClients clients;
    private final MinuteFetches<Map<String, List<Datapoint>>> fetches = new MinuteFetches<>();

    public RdsCloudWatch(Vertx vertx, Targets targets) {
        this.targets = targets;
        this.credentials = new AwsCredentials(vertx, Optional.empty(), Optional.empty());
        this.http = NettyNioAsyncHttpClient.builder().maxConcurrency(8).connectionTimeout(Duration.ofSeconds(5)).build();
        this.clients = new CloudWatchClients(http, credentials.provider());
    }

    /** The figures for the replica in {@code region}; none when nothing is configured for it. */
    public Future<List<NativeLag>> figures(String region) {
        List<MetricDataQuery> queries = queries(targets, region);
        if (queries.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return fetches.get(region, (from, to) -> {
            GetMetricDataRequest request = GetMetricDataRequest.builder().startTime(from).endTime(to).metricDataQueries(queries).build();
            return credentials.ready().compose(v -> Future.fromCompletionStage(clients.in(region).getMetricData(request)))
                    .map(RdsCloudWatch::datapoints);
        }).map(all -> current(all, Instant.now()));
    }

    static List<MetricDataQuery> queries(Targets targets, String region) {
        List<MetricDataQuery> queries = new ArrayList<>();
        String instance = targets.replicaInstances().get(region);
        if (instance != null) {
            queries.add(query(REPLICA_LAG, "DBInstanceIdentifier", instance));
        }
        String cluster = targets.secondaryClusters().get(region);
        if (cluster != null) {
            queries.add(query(GLOBAL_REPLICATION_LAG, "DBClusterIdentifier", cluster));
            queries.add(query(GLOBAL_RPO_LAG, "DBClusterIdentifier", cluster));
        }
        return queries;
    }

    private static MetricDataQuery query(String metric, String dimension, String value) {
        return MetricDataQuery.builder().id(metric.substring(0, 1).toLowerCase() + metric.substring(1)).returnData(true)
                .metricStat(MetricStat.builder().metric(Metric.builder().namespace("AWS/RDS").metricName(metric)
                                .dimensions(Dimension.builder().name(dimension).value(value).build()).build())
                        .period((int) NativeFigure.PERIOD.toSeconds()).stat("Maximum").build()).build();
    }

    static Map<String, List<Datapoint>> datapoints(GetMetricDataResponse response) {
        Map<String, List<Datapoint>> out = new HashMap<>();
        for (MetricDataResult result : response.metricDataResults()) {
            String metric = Character.toUpperCase(result.id().charAt(0)) + result.id().substring(1);
            List<Datapoint> points = out.computeIfAbsent(metric, k -> new ArrayList<>());
            points.addAll(Datapoint.of(result));
        }
        return out;
    }

    /** ReplicaLag is in seconds, the Aurora global lags in milliseconds. */
    static List<NativeLag> current(Map<String, List<Datapoint>> all, Instant now) {
        List<NativeLag> figures = new ArrayList<>();
        for (String metric : List.of(REPLICA_LAG, GLOBAL_REPLICATION_LAG, GLOBAL_RPO_LAG)) {
            OptionalDouble v = NativeFigure.current(all.getOrDefault(metric, List.of()), now, NativeFigure.MAX_AGE);
            if (v.isPresent()) {
                figures.add(new NativeLag(metric, REPLICA_LAG.equals(metric) ? v.getAsDouble() : v.getAsDouble() / 1000.0));
            }
        }
        return figures;
    }

    public void close() {
        clients.close();
        http.close();
    }
}
