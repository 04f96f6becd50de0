package io.replag.tools;

import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.Await;
import io.replag.tools.lab.LabControl;

import io.micrometer.core.instrument.Counter;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.dynamodb.DynamoDbCanaryStore;
import io.replag.agent.engine.Arrival;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.StaleSeqException;
import io.replag.tools.demo.Demo;
import io.replag.exporter.config.ReplagConfig;
import io.replag.lab.Lab;
import io.replag.lab.LinkChange;
import io.replag.lab.dynamodb.DynamoLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DynamoDB global table on the lab: three dynalite regions, active-active, replicated by the
 * lab's links; replag probes all six ordered pairs as in the demo.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class DynamoLabIT {
    static final String US = "us-east-1", EU = "eu-west-1", AP = "ap-southeast-2";

    record Seen(String source, String target, Arrival arrival) {
    }

    static Lab lab;
    static DynamoLab dynamo;
    static ReplagRuntime runtime;
    static final ConcurrentLinkedQueue<Seen> arrivals = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        try {
            dynamo = DynamoLab.start(Demo.REGIONS, io.replag.lab.dynamodb.DynamoLabProvider.TABLE, "pk");
        } catch (DynamoLab.Unavailable e) {
            System.out.println("SKIPPED DynamoLabIT: " + e.getMessage());
            Assumptions.abort(e.getMessage());
        }
        lab = new Lab(List.of(dynamo));
        ReplagConfig config = Demo.config(lab, "127.0.0.1", 0, ProbeTiming.DEFAULT);
        runtime = new ReplagRuntime(config, LabControl.of(lab), (set, pair, a) -> arrivals.add(new Seen(pair.source(), pair.target(), a)));
        runtime.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        Fixtures.stop(runtime, lab);
    }

    @AfterEach
    void heal() throws Exception {
        for (String region : Demo.REGIONS) {
            dynamo.startRegion(region);
            dynamo.fault(region, io.replag.lab.Fault.NONE);
        }
        for (var link : dynamo.links()) {
            dynamo.change(link.source(), link.target(), new LinkChange(Optional.of(0L), Optional.of(false), Optional.of(false)));
        }
    }

    static void await(Duration bound, String what, BooleanSupplier condition) {
        Await.until(bound, what, condition);
    }

    static double lag(String source, String target) {
        return runtime.registry().find("replag.lag.seconds")
                .tags("store", "dynamodb", "source_region", source, "target_region", target).gauge().value();
    }

    static double up(String region) {
        return runtime.registry().find("replag.up").tags("store", "dynamodb", "region", region).gauge().value();
    }

    static double errors(String region) {
        return runtime.registry().find("replag.errors").tags("store", "dynamodb", "region", region).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    static long lastSeq(String source, String target) {
        return arrivals.stream().filter(s -> s.source.equals(source) && s.target.equals(target))
                .mapToLong(s -> s.arrival.seq()).max().orElse(0);
    }

    static boolean allPairsBelow(double seconds) {
        for (String s : Demo.REGIONS) {
            for (String t : Demo.REGIONS) {
                if (!s.equals(t) && !(lag(s, t) < seconds)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void a_allSixOrderedPairsAreMeasured() {
        await(Duration.ofSeconds(20), "arrivals on all six pairs", () -> Demo.REGIONS.stream().allMatch(s -> Demo.REGIONS.stream()
                .filter(t -> !t.equals(s)).allMatch(t -> lastSeq(s, t) > 1)));
        assertThat(runtime.registry().find("replag.lag.seconds").tag("store", "dynamodb").gauges()).hasSize(6);
        assertThat(allPairsBelow(0.5)).isTrue();
        assertThat(runtime.registry().scrape()).contains("replag_native_lag_seconds{resource=\"sessions\",source_metric=\"ReplicationLatency\"");
    }

    @Test
    void c2_aDroppingLinkLosesCanariesOnThatPairOnlyUntilItHeals() {
        await(Duration.ofSeconds(20), "healthy", () -> allPairsBelow(0.5));
        long before = lastSeq(AP, US);
        dynamo.change(AP, US, new LinkChange(Optional.empty(), Optional.empty(), Optional.of(true)));
        await(Duration.ofSeconds(15), "ap-southeast-2 -> us-east-1 above 3 s", () -> lag(AP, US) > 3);
        assertThat(lastSeq(AP, US)).as("nothing arrives over a dropping link").isLessThanOrEqualTo(before + 1);
        assertThat(lag(AP, EU)).isLessThan(0.5);
        assertThat(lag(US, AP)).isLessThan(0.5);
        dynamo.change(AP, US, new LinkChange(Optional.empty(), Optional.empty(), Optional.of(false)));
        // the next canary replicates; its seq proves the lost ones were superseded
        await(Duration.ofSeconds(10), "recovered", () -> lag(AP, US) < 0.5);
    }

    static double errors(String region, String reason) {
        return runtime.registry().find("replag.errors").tags("store", "dynamodb", "region", region, "reason", reason).counters()
                .stream().mapToDouble(Counter::count).sum();
    }

    @ParameterizedTest(name = "fault {0} gives reason {1}")
    @CsvSource({"throttle,throttled", "error,server_error", "reset,connection_reset"})
    void f_faultyEndpointIsDownWithItsReasonWhileOtherPairsKeepTheirMeasurements(String fault, String reason) {
        await(Duration.ofSeconds(20), "healthy", () -> allPairsBelow(0.5) && up(EU) == 1);
        double before = errors(EU, reason);
        dynamo.fault(EU, new io.replag.lab.Fault(0, fault));
        await(Duration.ofSeconds(15), "eu-west-1 down with reason " + reason, () -> up(EU) == 0 && errors(EU, reason) > before);
        long usAp = lastSeq(US, AP), apUs = lastSeq(AP, US);
        await(Duration.ofSeconds(10), "pairs without eu-west-1 keep arriving", () -> lastSeq(US, AP) >= usAp + 3 && lastSeq(AP, US) >= apUs + 3);
        assertThat(lag(US, AP)).isLessThan(0.5);
        assertThat(lag(AP, US)).isLessThan(0.5);
        dynamo.fault(EU, io.replag.lab.Fault.NONE);
        await(Duration.ofSeconds(20), "eu-west-1 recovers", () -> up(EU) == 1 && allPairsBelow(0.5));
    }

    @Test
    void g_addedLatencyBelowTheTimeoutIsMeasuredNotAnError() {
        await(Duration.ofSeconds(20), "healthy", () -> allPairsBelow(0.5) && up(AP) == 1);
        double before = errors(AP);
        // every call to ap-southeast-2 takes 2 s more: reads there are slower, so arrivals there are seen later
        dynamo.fault(AP, new io.replag.lab.Fault(2000, "none"));
        long usAp = lastSeq(US, AP);
        await(Duration.ofSeconds(20), "arrivals in ap-southeast-2 through the slow endpoint", () -> lastSeq(US, AP) >= usAp + 3);
        assertThat(errors(AP)).as("2 s is within the 5 s request timeout").isEqualTo(before);
        assertThat(up(AP)).isEqualTo(1);
        assertThat(lag(US, EU)).as("other pairs are not slowed").isLessThan(0.5);
    }

    static long replagThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !t.getName().startsWith("lab-")).count();
    }

    @Test
    void h_hangingEndpointTimesOutWithoutGrowingThreadsOrDelayingOtherPairs() {
        await(Duration.ofSeconds(20), "healthy", () -> allPairsBelow(0.5) && up(EU) == 1);
        long threadsBefore = replagThreads();
        double before = errors(EU, "timeout");
        // every call to eu-west-1 now takes 60 s: far beyond the 5 s request timeout
        dynamo.fault(EU, new io.replag.lab.Fault(60_000, "none"));
        await(Duration.ofSeconds(20), "eu-west-1 calls time out", () -> up(EU) == 0 && errors(EU, "timeout") > before);
        long usAp = lastSeq(US, AP);
        await(Duration.ofSeconds(15), "pairs without eu-west-1 keep arriving", () -> lastSeq(US, AP) >= usAp + 5);
        assertThat(lag(US, AP)).isLessThan(0.5);
        assertThat(replagThreads() - threadsBefore).as("replag's own threads while an endpoint hangs").isLessThanOrEqualTo(4);
        dynamo.fault(EU, io.replag.lab.Fault.NONE);
        await(Duration.ofSeconds(30), "eu-west-1 recovers", () -> up(EU) == 1 && allPairsBelow(0.5));
    }

    @Test
    void e_aReplayedOlderCanaryNeverLowersTheStoredSeq() throws Exception {
        ReplicationSet set = Demo.config(lab, "127.0.0.1", 0, ProbeTiming.DEFAULT).sets().get(0);
        DynamoDbCanaryStore store = new DynamoDbCanaryStore(runtime.vertx(), set);
        CanaryKey key = new CanaryKey("conditional-test", US);
        try {
            store.write(US, new Canary(key, 10, 1_000)).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThatThrownBy(() -> store.write(US, new Canary(key, 7, 2_000)).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StaleSeqException.class);
            assertThatThrownBy(() -> store.write(US, new Canary(key, 10, 3_000)).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .as("equal seq is not newer").hasCauseInstanceOf(StaleSeqException.class);
            Optional<Canary> stored = store.read(US, key).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).canary();
            assertThat(stored).contains(new Canary(key, 10, 1_000));
        } finally {
            store.close();
        }
    }
}
