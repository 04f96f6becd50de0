package io.replag.agent.dynamodb;

import io.replag.agent.cloudwatch.NativeFigure;

import io.replag.agent.cloudwatch.Datapoint;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

/** A GetMetricData answer (newest first, as CloudWatch sends it, with gaps) maps to the right pair. */
class CloudWatchReplicationLatencyTest {
    static final Instant NOW = Instant.parse("2026-11-28T10:15:30Z");

    @Test
    void resultsMapToTheirReceivingRegionAndTheCurrentFigureIsTheNewestCompleteMinute() {
        GetMetricDataResponse response = GetMetricDataResponse.builder().metricDataResults(
                // r1 = ap-southeast-2: the current minute (partial), then 10:14, a gap at 10:13, then 10:12
                MetricDataResult.builder().id("r1").statusCode("Complete").timestamps(
                        Instant.parse("2026-11-28T10:15:00Z"), Instant.parse("2026-11-28T10:14:00Z"), Instant.parse("2026-11-28T10:12:00Z"))
                        .values(90.0, 1800.0, 600.0).build(),
                // r0 = eu-west-1: only an old datapoint (replication idle, or metrics late)
                MetricDataResult.builder().id("r0").statusCode("Complete").timestamps(Instant.parse("2026-11-28T10:02:00Z"))
                        .values(250.0).build()).build();

        Map<String, List<Datapoint>> mapped = CloudWatchReplicationLatency.datapoints(response, List.of("eu-west-1", "ap-southeast-2"));

        assertThat(mapped.get("ap-southeast-2")).hasSize(3);
        assertThat(NativeFigure.current(mapped.get("ap-southeast-2"), NOW, Duration.ofMinutes(5))).isEqualTo(OptionalDouble.of(1800));
        assertThat(NativeFigure.current(mapped.get("eu-west-1"), NOW, Duration.ofMinutes(5))).as("13 minutes old").isEmpty();
    }
}
