package io.replag.agent.sql;

import io.replag.agent.cloudwatch.Datapoint;
import io.replag.agent.spi.NativeLag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RdsCloudWatchTest {
    static final Instant NOW = Instant.parse("2026-11-28T10:15:30Z");
    static final RdsCloudWatch.Targets TARGETS = new RdsCloudWatch.Targets(
            Map.of("eu-west-1", "inventory-euw1"), Map.of("eu-west-1", "inventory-euw1-cluster", "ap-southeast-2", "inv-apse2"));

    static Instant at(String hhmm) {
        return Instant.parse("2026-11-28T" + hhmm + ":00Z");
    }

    @Test
    void queriesTheConfiguredIdentifiersOfTheRegionOnly() {
        List<MetricDataQuery> eu = RdsCloudWatch.queries(TARGETS, "eu-west-1");
        assertThat(eu).extracting(q -> q.metricStat().metric().metricName() + " " + q.metricStat().metric().dimensions().get(0).name()
                        + "=" + q.metricStat().metric().dimensions().get(0).value())
                .containsExactly("ReplicaLag DBInstanceIdentifier=inventory-euw1",
                        "AuroraGlobalDBReplicationLag DBClusterIdentifier=inventory-euw1-cluster",
                        "AuroraGlobalDBRPOLag DBClusterIdentifier=inventory-euw1-cluster");
        assertThat(eu).allSatisfy(q -> assertThat(q.metricStat().metric().namespace()).isEqualTo("AWS/RDS"));
        assertThat(RdsCloudWatch.queries(TARGETS, "ap-southeast-2")).hasSize(2);
        assertThat(RdsCloudWatch.queries(TARGETS, "us-east-1")).as("nothing configured: no call").isEmpty();
    }

    @Test
    void unitsAreConvertedAndOnlyACurrentCompleteMinuteCounts() {
        GetMetricDataResponse response = GetMetricDataResponse.builder().metricDataResults(
                MetricDataResult.builder().id("replicaLag").timestamps(at("10:15"), at("10:14")).values(99.0, 3.0).build(),
                MetricDataResult.builder().id("auroraGlobalDBReplicationLag").timestamps(at("10:13")).values(850.0).build(),
                MetricDataResult.builder().id("auroraGlobalDBRPOLag").timestamps(at("10:02")).values(1200.0).build()).build();
        Map<String, List<Datapoint>> points = RdsCloudWatch.datapoints(response);
        assertThat(RdsCloudWatch.current(points, NOW)).containsExactly(
                new NativeLag("ReplicaLag", 3.0),                   // seconds; 10:15 is still filling
                new NativeLag("AuroraGlobalDBReplicationLag", 0.85)); // milliseconds; the RPO lag is 13 minutes old
    }
}
