package io.replag.agent.s3;

import io.replag.agent.cloudwatch.Datapoint;
import io.replag.agent.cloudwatch.NativeFigure;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

/** CloudWatch's per-rule S3 metrics mapped back to pairs, with gaps, partial and late minutes. */
class S3CloudWatchMappingTest {
    static final Instant NOW = Instant.parse("2026-11-28T10:15:30Z");
    static final List<S3Rule> RULES = List.of(
            new S3Rule("us-east-1", "eu-west-1", Optional.of("to-euw1")),
            new S3Rule("us-east-1", "ap-southeast-2", Optional.empty()),
            new S3Rule("us-east-1", "sa-east-1", Optional.of("to-sae1")));
    static final S3Options OPTIONS = S3Options.builder(
            Map.of("us-east-1", "a-use1", "eu-west-1", "a-euw1", "ap-southeast-2", "a-apse2", "sa-east-1", "a-sae1"), RULES).build();

    static Instant at(String hhmm) {
        return Instant.parse("2026-11-28T" + hhmm + ":00Z");
    }

    @Test
    void queriesOnlyRulesWithAnIdWithTheirBucketsAndStatistics() {
        List<MetricDataQuery> queries = CloudWatchS3ReplicationMetrics.queries(OPTIONS, RULES);
        assertThat(queries).hasSize(6).extracting(MetricDataQuery::id)
                .containsExactly("r0m0", "r0m1", "r0m2", "r2m0", "r2m1", "r2m2");
        MetricDataQuery latency = queries.get(0);
        assertThat(latency.metricStat().metric().namespace()).isEqualTo("AWS/S3");
        assertThat(latency.metricStat().metric().metricName()).isEqualTo("ReplicationLatency");
        assertThat(latency.metricStat().stat()).isEqualTo("Maximum");
        assertThat(latency.metricStat().metric().dimensions()).extracting(d -> d.name() + "=" + d.value())
                .containsExactly("SourceBucket=a-use1", "DestinationBucket=a-euw1", "RuleId=to-euw1");
        assertThat(queries.get(5).metricStat().metric().metricName()).isEqualTo("OperationsFailedReplication");
        assertThat(queries.get(5).metricStat().stat()).as("failures add up over the minute").isEqualTo("Sum");
    }

    @Test
    void resultsMapBackToTheirTargetAndMetricAndTheNewestCompleteMinuteWins() {
        GetMetricDataResponse response = GetMetricDataResponse.builder().metricDataResults(
                // newest first, as CloudWatch answers; 10:15 is still filling; 10:13 missing (a gap)
                MetricDataResult.builder().id("r0m0").timestamps(at("10:15"), at("10:14"), at("10:12")).values(2.0, 14.0, 9.0).build(),
                MetricDataResult.builder().id("r0m1").timestamps(at("10:14")).values(3.0).build(),
                MetricDataResult.builder().id("r2m0").timestamps(at("10:02")).values(40.0).build(),
                MetricDataResult.builder().id("r2m2").timestamps(at("10:12"), at("10:14")).values(0.0, 7.0).build()).build();
        Map<String, Map<String, List<Datapoint>>> mapped = CloudWatchS3ReplicationMetrics.datapoints(response, RULES);

        Duration maxAge = Duration.ofMinutes(5);
        assertThat(NativeFigure.current(mapped.get("eu-west-1").get("ReplicationLatency"), NOW, maxAge)).isEqualTo(OptionalDouble.of(14));
        assertThat(NativeFigure.current(mapped.get("eu-west-1").get("OperationsPendingReplication"), NOW, maxAge)).isEqualTo(OptionalDouble.of(3));
        assertThat(NativeFigure.current(mapped.get("sa-east-1").get("ReplicationLatency"), NOW, maxAge))
                .as("13 minutes old: no current figure").isEmpty();
        assertThat(NativeFigure.current(mapped.get("sa-east-1").get("OperationsFailedReplication"), NOW, maxAge))
                .as("a late minute counts once it arrives, whatever the order").isEqualTo(OptionalDouble.of(7));
        assertThat(mapped).doesNotContainKey("ap-southeast-2");
    }
}
