package io.replag.agent.dynamodb;

import io.replag.agent.cloudwatch.Datapoint;
import io.replag.agent.cloudwatch.NativeFigure;

import io.replag.agent.cloudwatch.CloudWatchClients;
import io.vertx.core.Future;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link ReplicationLatencySource} backed by CloudWatch GetMetricData, one async client per source region. */
final class CloudWatchReplicationLatency implements ReplicationLatencySource {
    private final CloudWatchClients clients;

    CloudWatchReplicationLatency(SdkAsyncHttpClient http, AwsCredentialsProvider credentials) {
        this.clients = new CloudWatchClients(http, credentials);
    }

    @Override
    public Future<Map<String, List<Datapoint>>> fetch(String sourceRegion, String table, List<String> receivingRegions,
                                                      Instant from, Instant to) {
        CloudWatchAsyncClient client = clients.in(sourceRegion);
        List<MetricDataQuery> queries = new ArrayList<>();
        for (int i = 0; i < receivingRegions.size(); i++) {
            queries.add(MetricDataQuery.builder().id("r" + i).returnData(true).metricStat(MetricStat.builder()
                    .metric(Metric.builder().namespace("AWS/DynamoDB").metricName("ReplicationLatency").dimensions(
                            Dimension.builder().name("TableName").value(table).build(),
                            Dimension.builder().name("ReceivingRegion").value(receivingRegions.get(i)).build()).build())
                    .period((int) NativeFigure.PERIOD.toSeconds()).stat("Average").unit("Milliseconds").build()).build());
        }
        GetMetricDataRequest request = GetMetricDataRequest.builder().startTime(from).endTime(to).metricDataQueries(queries).build();
        return Future.fromCompletionStage(client.getMetricData(request)).map(response -> datapoints(response, receivingRegions));
    }

    /** Maps each query's result (id {@code r<i>}) back to its receiving region; timestamps and values pair up by index. */
    static Map<String, List<Datapoint>> datapoints(GetMetricDataResponse response, List<String> receivingRegions) {
        Map<String, List<Datapoint>> out = new HashMap<>();
        for (MetricDataResult result : response.metricDataResults()) {
            String receiving = receivingRegions.get(Integer.parseInt(result.id().substring(1)));
            List<Datapoint> points = out.computeIfAbsent(receiving, k -> new ArrayList<>());
            points.addAll(Datapoint.of(result));
        }
        return out;
    }

    @Override
    public void close() {
        clients.close();
    }
}
