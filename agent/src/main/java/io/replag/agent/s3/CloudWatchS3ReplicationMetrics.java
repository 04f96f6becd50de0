package io.replag.agent.s3;

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

/** {@link S3ReplicationMetricsSource} backed by CloudWatch GetMetricData, one async client per source region. */
final class CloudWatchS3ReplicationMetrics implements S3ReplicationMetricsSource {
    private final CloudWatchClients clients;

    CloudWatchS3ReplicationMetrics(SdkAsyncHttpClient http, AwsCredentialsProvider credentials) {
        this.clients = new CloudWatchClients(http, credentials);
    }

    @Override
    public Future<Map<String, Map<String, List<Datapoint>>>> fetch(String sourceRegion, S3Options options, List<S3Rule> rules,
                                                                  Instant from, Instant to) {
        List<MetricDataQuery> queries = queries(options, rules);
        if (queries.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        CloudWatchAsyncClient client = clients.in(sourceRegion);
        GetMetricDataRequest request = GetMetricDataRequest.builder().startTime(from).endTime(to).metricDataQueries(queries).build();
        return Future.fromCompletionStage(client.getMetricData(request)).map(response -> datapoints(response, rules));
    }

    /** One query per (rule with an ID, metric); the query id {@code r<rule>m<metric>} maps the result back. */
    static List<MetricDataQuery> queries(S3Options options, List<S3Rule> rules) {
        List<MetricDataQuery> queries = new ArrayList<>();
        for (int r = 0; r < rules.size(); r++) {
            S3Rule rule = rules.get(r);
            if (rule.ruleId().isEmpty()) {
                continue;
            }
            for (int m = 0; m < METRICS.size(); m++) {
                String metric = METRICS.get(m);
                queries.add(MetricDataQuery.builder().id("r" + r + "m" + m).returnData(true).metricStat(MetricStat.builder()
                        .metric(Metric.builder().namespace("AWS/S3").metricName(metric).dimensions(
                                Dimension.builder().name("SourceBucket").value(options.bucket(rule.source())).build(),
                                Dimension.builder().name("DestinationBucket").value(options.bucket(rule.target())).build(),
                                Dimension.builder().name("RuleId").value(rule.ruleId().get()).build()).build())
                        .period((int) NativeFigure.PERIOD.toSeconds())
                        .stat(FAILED.equals(metric) ? "Sum" : "Maximum").build()).build());
            }
        }
        return queries;
    }

    static Map<String, Map<String, List<Datapoint>>> datapoints(GetMetricDataResponse response, List<S3Rule> rules) {
        Map<String, Map<String, List<Datapoint>>> out = new HashMap<>();
        for (MetricDataResult result : response.metricDataResults()) {
            int m = result.id().indexOf('m');
            S3Rule rule = rules.get(Integer.parseInt(result.id().substring(1, m)));
            String metric = METRICS.get(Integer.parseInt(result.id().substring(m + 1)));
            List<Datapoint> points = out.computeIfAbsent(rule.target(), k -> new HashMap<>())
                    .computeIfAbsent(metric, k -> new ArrayList<>());
            points.addAll(Datapoint.of(result));
        }
        return out;
    }

    @Override
    public void close() {
        clients.close();
    }
}
