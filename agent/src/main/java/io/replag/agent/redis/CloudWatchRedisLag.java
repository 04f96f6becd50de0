package io.replag.agent.redis;

import io.replag.agent.aws.AwsCredentials;
import io.replag.agent.cloudwatch.CloudWatchClients;
import io.replag.agent.cloudwatch.Datapoint;
import io.replag.agent.cloudwatch.NativeFigure;
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
import java.util.List;
import java.util.Optional;

/** {@link RedisLagSource} backed by CloudWatch GetMetricData in the figure's target region. */
final class CloudWatchRedisLag implements RedisLagSource {
    private final AwsCredentials credentials;
    private final SdkAsyncHttpClient http;
    private final CloudWatchClients clients;

    CloudWatchRedisLag(Vertx vertx) {
        this.credentials = new AwsCredentials(vertx, Optional.empty(), Optional.empty());
        this.http = NettyNioAsyncHttpClient.builder().maxConcurrency(4).connectionTimeout(Duration.ofSeconds(5)).build();
        this.clients = new CloudWatchClients(http, credentials.provider());
    }

    @Override
    public Future<List<Datapoint>> fetch(CloudWatchFigure figure, Instant from, Instant to) {
        GetMetricDataRequest request = GetMetricDataRequest.builder().startTime(from).endTime(to)
                .metricDataQueries(query(figure)).build();
        return credentials.ready()
                .compose(v -> Future.fromCompletionStage(clients.in(figure.target()).getMetricData(request)))
                .map(CloudWatchRedisLag::datapoints);
    }

    static MetricDataQuery query(CloudWatchFigure figure) {
        List<Dimension> dimensions = figure.dimensions().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .map(d -> Dimension.builder().name(d.getKey()).value(d.getValue()).build()).toList();
        return MetricDataQuery.builder().id("lag").returnData(true)
                .metricStat(MetricStat.builder().metric(Metric.builder().namespace(figure.metric().namespace())
                                .metricName(figure.metric().metricName()).dimensions(dimensions).build())
                        .period((int) NativeFigure.PERIOD.toSeconds()).stat("Maximum").build()).build();
    }

    static List<Datapoint> datapoints(GetMetricDataResponse response) {
        List<Datapoint> points = new ArrayList<>();
        for (MetricDataResult result : response.metricDataResults()) {
            points.addAll(Datapoint.of(result));
        }
        return points;
    }

    @Override
    public void close() {
        clients.close();
        http.close();
    }
}
