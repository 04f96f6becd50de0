package io.replag.tools;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replag.agent.config.ProbeTiming;
import io.replag.exporter.burst.BurstCommand;
import io.replag.exporter.burst.BurstOptions;
import io.replag.exporter.config.ReplagConfig;
import io.replag.lab.Lab;
import io.replag.lab.LabStoreProvider;
import io.replag.lab.LabStores;
import io.replag.lab.LabUnavailable;
import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;
import io.replag.lab.distance.Geography;
import io.replag.tools.demo.Demo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code replag burst} on the lab's real servers: every store writes, finds and cleans up its
 * records; PostgreSQL at a 300 ms link delay is visible at read-after 500 ms and not at 200 ms; a
 * DynamoDB link that drops during the burst loses exactly what the lab says it dropped.
 */
class BurstIT {
    static final String US = "us-east-1", EU = "eu-west-1", AP = "ap-southeast-2";

    /** A started lab store and the config that reaches it, burst allowed. */
    record Running(Lab lab, ReplagConfig config, String set) implements AutoCloseable {
        @Override
        public void close() {
            lab.close();
        }
    }

    static Running start(LabStoreProvider provider) throws Exception {
        try {
            Lab lab = new Lab(List.of(provider.start(Demo.LAB_REGIONS, Geography.NONE)), Geography.NONE);
            ReplagConfig demo = Demo.config(lab, "127.0.0.1", 0, ProbeTiming.DEFAULT);
            return new Running(lab, new ReplagConfig(demo.agent(), demo.listenHost(), demo.listenPort(),
                    demo.sets().stream().map(s -> s.withBurstAllowed()).toList()), provider.setName());
        } catch (LabUnavailable e) {
            System.out.println("SKIPPED BurstIT for " + provider.store() + ": " + e.getMessage());
            Assumptions.abort(e.getMessage());
            throw e;
        }
    }

    static LabStoreProvider provider(String store) {
        return LabStores.all().stream().filter(p -> p.store().equals(store)).findFirst().orElseThrow();
    }

    record Outcome(int code, String out, PrometheusMeterRegistry registry) {
        double gauge(String name, String target) {
            var g = target == null ? registry.find(name).gauge() : registry.find(name).tag("target_region", target).gauge();
            assertThat(g).as(name + " " + target).isNotNull();
            return g.value();
        }

        double latency(String target, String quantile) {
            return registry.find("replag.burst.latency.seconds").tag("target_region", target).tag("quantile", quantile).gauge().value();
        }
    }

    static Outcome burst(Running running, String... flags) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<String> args = new java.util.ArrayList<>(List.of("--set", running.set(), "--source", US));
        args.addAll(List.of(flags));
        int code = BurstCommand.run(running.config(), BurstOptions.parse(new ArrayDeque<>(args)), registry,
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        return new Outcome(code, printed, registry);
    }

    static List<String> stores() {
        return LabStores.all().stream().map(LabStoreProvider::store).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void everyStoreWritesFindsAndCleansUpItsRecords(String store) throws Exception {
        try (Running running = start(provider(store))) {
            Outcome o = burst(running, "--records", "400", "--rate", "400", "--read-after", "1s", "--deadline", "15s");
            assertThat(o.code()).as(o.out()).isZero();
            assertThat(o.gauge("replag.burst.written.records", null)).isEqualTo(400);
            assertThat(o.gauge("replag.burst.running", null)).isZero();
            for (String target : running.config().sets().get(0).targetsOf(US)) {
                assertThat(o.gauge("replag.burst.lost.records", target)).as(store + " " + target).isZero();
                assertThat(o.gauge("replag.burst.arrived.records", target)).isEqualTo(400);
            }
            assertThat(o.out()).contains("cleanup: ").doesNotContain("cleanup: failed");
        }
    }

    @Test
    void postgresAt300msIsVisibleAtReadAfter500msAndNotAt200ms() throws Exception {
        try (Running running = start(provider("postgres"))) {
            for (LinkState link : running.lab().links()) {
                running.lab().change(link.store(), link.source(), link.target(), new LinkChange(Optional.of(300L), Optional.empty()));
            }
            Outcome o = burst(running, "--records", "20000", "--rate", "2000", "--read-after", "500ms", "--deadline", "10s");
            assertThat(o.code()).isZero();
            for (String target : List.of(EU, AP)) {
                assertThat(o.gauge("replag.burst.visible.ratio", target)).as(target).isEqualTo(1.0);
                assertThat(o.gauge("replag.burst.lost.records", target)).isZero();
                // the lab's recovery_min_apply_delay, within half the 100 ms poll (and the loop's own delays)
                assertThat(o.latency(target, "0.5")).as(target + " median").isBetween(0.24, 0.40);
            }
            assertThat(o.gauge("replag.burst.write.rate", null)).isBetween(1_500.0, 2_100.0);
            assertThat(o.out()).contains("deleted 20000 rows");

            Outcome early = burst(running, "--records", "2000", "--rate", "2000", "--read-after", "200ms", "--deadline", "10s");
            for (String target : List.of(EU, AP)) {
                assertThat(early.gauge("replag.burst.visible.ratio", target)).as(target + " at 200 ms").isLessThan(0.01);
                assertThat(early.gauge("replag.burst.lost.records", target)).isZero();
            }
        }
    }

    @Test
    void aDynamoDbLinkThatDropsDuringTheBurstLosesExactlyWhatTheLabDropped() throws Exception {
        try (Running running = start(provider("dynamodb"))) {
            for (LinkState link : running.lab().links()) {
                running.lab().change(link.store(), link.source(), link.target(), new LinkChange(Optional.of(300L), Optional.empty()));
            }
            long before = dropped(running.lab(), EU);
            CompletableFuture<Outcome> run = CompletableFuture.supplyAsync(() ->
                    burst(running, "--records", "3000", "--rate", "300", "--read-after", "500ms", "--deadline", "5s"));
            // the scenario: the link drops from 3 s to 6 s into the 10 s burst (timing of the fault, not a wait for a result)
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3));
            running.lab().change("dynamodb", US, EU, new LinkChange(Optional.empty(), Optional.empty(), Optional.of(true)));
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3));
            running.lab().change("dynamodb", US, EU, new LinkChange(Optional.empty(), Optional.empty(), Optional.of(false)));
            Outcome o = run.get(120, TimeUnit.SECONDS);
            long droppedByLab = dropped(running.lab(), EU) - before;
            System.out.println("lab dropped " + droppedByLab + " on " + US + " -> " + EU);
            assertThat(droppedByLab).as("the lab dropped some of the burst").isGreaterThan(300);
            assertThat(o.code()).isEqualTo(BurstCommand.LOST);
            assertThat((long) o.gauge("replag.burst.lost.records", EU)).isEqualTo(droppedByLab);
            assertThat(o.gauge("replag.burst.lost.records", AP)).isZero();
            assertThat(o.gauge("replag.burst.arrived.records", AP)).isEqualTo(3000);
        }
    }

    static long dropped(Lab lab, String target) {
        return lab.links().stream().filter(l -> l.source().equals(US) && l.target().equals(target)).mapToLong(LinkState::dropped).sum();
    }
}
