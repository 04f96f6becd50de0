package io.replag.agent.dynamodb;

import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.cloudwatch.Datapoint;
import io.replag.agent.spi.NativeLag;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The store maps CloudWatch's per-receiving-region answer to the right pair, once a minute per source. */
@ExtendWith(VertxExtension.class)
class DynamoDbNativeLagTest {
    static final List<String> REGIONS = List.of("us-east-1", "eu-west-1", "ap-southeast-2");

    @Test
    void figuresGoToTheirPairAndOneCallServesEverySourcesTargets(Vertx vertx) {
        List<String> calls = new ArrayList<>();
        Instant lastMinute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(1, ChronoUnit.MINUTES);
        ReplicationLatencySource source = (src, table, receiving, from, to) -> {
            calls.add(src + " " + table + " " + receiving);
            return Future.succeededFuture(Map.of(
                    "eu-west-1", List.of(new Datapoint(lastMinute, 850)),
                    // ap-southeast-2: only a datapoint from long ago, so no current figure
                    "ap-southeast-2", List.of(new Datapoint(lastMinute.minus(30, ChronoUnit.MINUTES), 99))));
        };
        Map<String, Endpoint> endpoints = Map.of("us-east-1", Endpoint.DEFAULT, "eu-west-1", Endpoint.DEFAULT, "ap-southeast-2", Endpoint.DEFAULT);
        DynamoDbCanaryStore store = new DynamoDbCanaryStore(vertx, new ReplicationSet("t", "dynamodb", endpoints,
                ReplicationSet.multiWriter(REGIONS), ProbeTiming.DEFAULT, DynamoDbOptions.builder("sessions").cloudWatch(source).build()));
        try {
            List<NativeLag> eu = store.readNativeLag("us-east-1", "eu-west-1").result();
            List<NativeLag> ap = store.readNativeLag("us-east-1", "ap-southeast-2").result();
            assertThat(eu).containsExactly(new NativeLag("ReplicationLatency", 0.85));
            assertThat(ap).as("stale datapoint is no current figure").isEmpty();
            assertThat(calls).containsExactly("us-east-1 sessions [eu-west-1, ap-southeast-2]");
        } finally {
            store.close();
        }
    }
}
