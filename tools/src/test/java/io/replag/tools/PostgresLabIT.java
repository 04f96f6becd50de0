package io.replag.tools;

import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.Await;
import io.replag.tools.lab.LabControl;

import io.micrometer.core.instrument.Counter;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.engine.Arrival;
import io.replag.tools.demo.Demo;
import io.replag.exporter.config.ReplagConfig;
import io.replag.exporter.health.RegionHealthConfig;
import io.replag.lab.Lab;
import io.replag.lab.LinkChange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole path on the lab: PostgreSQL primary us-east-1 with streaming replicas eu-west-1 and
 * ap-southeast-2, the exporter probing them as in the demo, links changed through the lab.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class PostgresLabIT {
    static final String US = "us-east-1", EU = "eu-west-1", AP = "ap-southeast-2";
    record Seen(String store, String target, Arrival arrival) {
    }

    static Lab lab;
    static ReplagRuntime runtime;
    static String base;
    static final ConcurrentLinkedQueue<Seen> arrivals = new ConcurrentLinkedQueue<>();
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        lab = Demo.startLab();
        ReplagConfig demo = Demo.config(lab, "127.0.0.1", 0, ProbeTiming.DEFAULT);
        // region health with a short grace, so that the test sees it flip
        ReplagConfig config = new ReplagConfig(demo.agent(), demo.listenHost(), 0, demo.sets(),
                new RegionHealthConfig(Duration.ofSeconds(2), Duration.ofSeconds(2), "both", Set.of("postgres")));
        runtime = new ReplagRuntime(config, LabControl.of(lab), (set, pair, a) -> arrivals.add(new Seen(set.store(), pair.target(), a)));
        int port = runtime.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + port;
    }

    @AfterAll
    static void stop() throws Exception {
        Fixtures.stop(runtime, lab);
    }

    @AfterEach
    void healLinks() throws Exception {
        lab.store("postgres").startRegion(US);
        for (String target : List.of(EU, AP)) {
            lab.store("postgres").startRegion(target);
            lab.change("postgres", US, target, new LinkChange(Optional.of(0L), Optional.of(false)));
        }
    }

    static void await(Duration bound, String what, BooleanSupplier condition) {
        Await.until(bound, what, condition);
    }

    static double lag(String target) {
        return runtime.registry().find("replag.lag.seconds").tags("store", "postgres", "target_region", target).gauge().value();
    }

    static double up(String region) {
        return runtime.registry().find("replag.up").tags("store", "postgres", "region", region).gauge().value();
    }

    static double count(String name, String target) {
        return runtime.registry().find(name).tags("store", "postgres", "target_region", target).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    static double readErrors(String region) {
        return errors(region, "read");
    }

    static double errors(String region, String op) {
        return runtime.registry().find("replag.errors").tags("store", "postgres", "region", region, "op", op).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    static long lastSeq(String target) {
        return postgres().filter(s -> s.target.equals(target)).mapToLong(s -> s.arrival.seq()).max().orElse(0);
    }

    static java.util.stream.Stream<Seen> postgres() {
        return arrivals.stream().filter(s -> s.store.equals("postgres"));
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static int status(String path) {
        try {
            return get(path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static HttpResponse<String> put(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_servesTheMetricContractHealthAndReadiness() throws Exception {
        assertThat(get("/health").statusCode()).isEqualTo(200);
        await(Duration.ofSeconds(20), "/ready answers 200", () -> {
            try {
                return get("/ready").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        await(Duration.ofSeconds(20), "arrivals on both pairs", () -> lastSeq(EU) > 1 && lastSeq(AP) > 1);
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        String body = metrics.body();
        for (String name : List.of("replag_lag_seconds{", "replag_arrival_latency_seconds_bucket{", "replag_last_write_timestamp_seconds{",
                "replag_last_arrival_timestamp_seconds{", "replag_canaries_written_total{", "replag_canaries_arrived_total{",
                "replag_canaries_missed_total{", "replag_measurement_uncertainty_seconds{", "replag_native_lag_seconds{",
                "replag_up{", "replag_build_info{", "jvm_memory_used_bytes{", "process_cpu_usage",
                "replag_measurement_method{method=\"server_clock\"", "replag_store_call_duration_seconds_bucket{",
                "replag_target_data_timestamp_seconds{")) {
            assertThat(body).as("exports " + name).contains(name);
        }
        assertThat(body).contains("le=\"0.005\"").contains("le=\"900.0\"");
        Set<String> allowed = Set.of("store", "resource", "source_region", "target_region", "region", "op", "reason",
                "source_metric", "status", "le", "version", "java_version", "method", "result"); // result: convergence rounds
        Matcher labels = Pattern.compile("^replag_\\w+\\{([^}]*)}", Pattern.MULTILINE).matcher(body);
        while (labels.find()) {
            for (String pair : labels.group(1).split(",")) {
                assertThat(allowed).as("label in " + labels.group()).contains(pair.substring(0, pair.indexOf('=')));
            }
        }
        assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    }

    @ParameterizedTest(name = "delay {0} ms")
    @ValueSource(longs = {0, 500, 2000})
    void b_injectedDelayIsMeasuredWithinTheReportedUncertaintyPlus100ms(long delayMs) throws Exception {
        await(Duration.ofSeconds(20), "first arrival", () -> lastSeq(EU) > 0);
        lab.change("postgres", US, EU, new LinkChange(Optional.of(delayMs), Optional.empty()));
        long after = lastSeq(EU) + 2 + delayMs / 1000; // canaries surely written after the change took effect
        await(Duration.ofSeconds(30), "3 arrivals after the change", () -> lastSeq(EU) >= after + 3);
        List<Arrival> measured = new ArrayList<>();
        postgres().filter(s -> s.target.equals(EU) && s.arrival.seq() > after).limit(3).forEach(s -> measured.add(s.arrival));
        double injected = delayMs / 1000.0;
        for (Arrival a : measured) {
            double latency = a.latencyMicros() / 1e6, uncertainty = a.uncertaintyMicros() / 1e6;
            double lower = a.lowerMicros() / 1e6, upper = a.upperMicros() / 1e6;
            System.out.printf("delay %d ms: measured %.3f s, uncertainty %.3f s%n", delayMs, latency, uncertainty);
            assertThat(injected).as("seq %d: injected within the interval, give or take the lab's own 0.1 s", a.seq())
                    .isBetween(lower - 0.1, upper + 0.1);
        }
    }

    @Test
    void c_pausedLinkRaisesOnlyThatPairsLagForAsLongAsThePauseAndResumeHeals() throws Exception {
        await(Duration.ofSeconds(20), "both pairs healthy", () -> lag(EU) < 0.5 && lag(AP) < 0.5);
        double missedBefore = count("replag.canaries.missed", EU);
        long pausedAt = System.nanoTime();
        lab.change("postgres", US, EU, new LinkChange(Optional.empty(), Optional.of(true)));
        double[] worstOther = {0};
        await(Duration.ofSeconds(20), "eu-west-1 lag above 5 s", () -> {
            worstOther[0] = Math.max(worstOther[0], lag(AP));
            return lag(EU) > 5;
        });
        double pausedFor = (System.nanoTime() - pausedAt) / 1e9;
        double lagAtResume = lag(EU);
        await(Duration.ofSeconds(10), "/health/regions/eu-west-1 answers 503", () -> status("/health/regions/eu-west-1") == 503);
        HttpResponse<String> failing = get("/health/regions/eu-west-1");
        assertThat(failing.body()).startsWith("FAIL eu-west-1: postgres/orders us-east-1->eu-west-1 lag ");
        assertThat(status("/health/regions/ap-southeast-2")).isEqualTo(200);
        assertThat(status("/health/regions/mars-1")).isEqualTo(404);
        lab.change("postgres", US, EU, new LinkChange(Optional.empty(), Optional.of(false)));
        // the oldest unseen canary was written at most one interval (plus jitter) after the pause began
        assertThat(lagAtResume).isGreaterThanOrEqualTo(pausedFor - 1.1 - 0.1);
        assertThat(worstOther[0]).as("ap-southeast-2 unaffected").isLessThan(0.5);
        await(Duration.ofSeconds(10), "eu-west-1 back under 0.5 s after resume", () -> lag(EU) < 0.5);
        await(Duration.ofSeconds(5), "/health/regions/eu-west-1 answers 200 again", () -> status("/health/regions/eu-west-1") == 200);
        assertThat(count("replag.canaries.missed", EU)).as("a 5 s pause is within the 60 s deadline").isEqualTo(missedBefore);
    }

    @Test
    void d_stoppedReplicaIsDownWithErrorsWhileTheOtherKeepsBeingMeasured() throws Exception {
        await(Duration.ofSeconds(20), "ap-southeast-2 up", () -> up(AP) == 1);
        long euBefore = lastSeq(EU);
        double errorsBefore = readErrors(AP);
        lab.store("postgres").stopRegion(AP);
        await(Duration.ofSeconds(20), "replag_up{ap-southeast-2} = 0 and read errors", () -> up(AP) == 0 && readErrors(AP) > errorsBefore);
        await(Duration.ofSeconds(10), "eu-west-1 keeps arriving", () -> lastSeq(EU) >= euBefore + 3);
        assertThat(lag(EU)).isLessThan(0.5);
        assertThat(up(EU)).isEqualTo(1);
        assertThat(up(US)).isEqualTo(1);
        assertThat(runtime.registry().find("replag.errors").tags("store", "postgres", "region", AP, "op", "read", "reason", "connection_refused").counter())
                .isNotNull();

        lab.store("postgres").startRegion(AP);
        await(Duration.ofSeconds(30), "ap-southeast-2 recovers", () -> up(AP) == 1 && lag(AP) < 0.5);
    }

    @Test
    void g_stoppedPrimaryIsAWriteErrorNotLagAndWritingResumesWithoutAMissedCanary() throws Exception {
        await(Duration.ofSeconds(20), "both pairs healthy", () -> lag(EU) < 0.5 && lag(AP) < 0.5 && up(US) == 1);
        double writeErrorsBefore = errors(US, "write");
        double missedBefore = count("replag.canaries.missed", EU) + count("replag.canaries.missed", AP);
        lab.store("postgres").stopRegion(US);
        await(Duration.ofSeconds(20), "replag_up{us-east-1} = 0 with write errors",
                () -> up(US) == 0 && errors(US, "write") > writeErrorsBefore + 2);
        // observe for 3 more write intervals: nothing was written, so nothing can be late
        double worst = 0;
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until) {
            worst = Math.max(worst, Math.max(lag(EU), lag(AP)));
            LockSupport.parkNanos(50_000_000);
        }
        assertThat(worst).as("a failing writer does not raise lag").isLessThan(0.5);

        long euBefore = lastSeq(EU);
        lab.store("postgres").startRegion(US);
        await(Duration.ofSeconds(40), "arrivals resume on both pairs", () -> up(US) == 1 && lastSeq(EU) > euBefore + 2
                && lag(EU) < 0.5 && lag(AP) < 0.5);
        assertThat(count("replag.canaries.missed", EU) + count("replag.canaries.missed", AP)).isEqualTo(missedBefore);
    }

    @Test
    void e_labControlApiValidatesAndNamesTheField() throws Exception {
        HttpResponse<String> links = get("/lab/links");
        assertThat(links.statusCode()).isEqualTo(200);
        assertThat(links.body()).contains("\"target\" : \"eu-west-1\"").contains("\"delayMs\" : 0").contains("\"paused\" : false");
        HttpResponse<String> changed = put("/lab/links/postgres/us-east-1/eu-west-1", "{\"delayMs\": 250}");
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.body()).contains("\"delayMs\" : 250");
        assertThat(lab.links()).anySatisfy(l -> assertThat(l.target() + l.delayMs()).isEqualTo("eu-west-1250"));

        assertThat(put("/lab/links/postgres/us-east-1/eu-west-1", "{\"delayMs\": \"soon\"}").body())
                .isEqualTo("delayMs: must be a whole number of milliseconds from 0 to 3600000, found \"soon\"\n");
        // exact numbers: no truncation, no wrap-around, no exception text; the link keeps its delay
        for (String sent : List.of("1.5", "18446744073709553616", "9223372036854775808", "1e999999", "-1", "3600001")) {
            HttpResponse<String> refused = put("/lab/links/postgres/us-east-1/eu-west-1", "{\"delayMs\": " + sent + "}");
            assertThat(refused.statusCode()).as(sent).isEqualTo(400);
            assertThat(refused.body()).as(sent).startsWith("delayMs: must be a whole number of milliseconds from 0 to 3600000, found ");
        }
        assertThat(put("/lab/links/postgres/us-east-1/eu-west-1", "{\"delayMs\": 18446744073709553616}").body()).contains("found 18446744073709553616");
        assertThat(put("/lab/links/postgres/us-east-1/eu-west-1", "{\"delayMs\": 1e999999}").body()).contains("found 1e999999");
        assertThat(lab.links()).anySatisfy(l -> assertThat(l.target() + l.delayMs()).isEqualTo("eu-west-1250"));
        // an unknown region is 404 for every store, whatever it is made of
        assertThat(put("/lab/regions/postgres/..%2f..%2fetc", "{\"running\": false}").statusCode()).isEqualTo(404);
        assertThat(put("/lab/regions/postgres/mars-1", "{\"running\": false}").statusCode()).isEqualTo(404);
        // only loopback Host names: no DNS rebinding
        assertThat(rawStatus("PUT /lab/links/postgres/us-east-1/eu-west-1 HTTP/1.1\r\nHost: attacker.example\r\n"
                + "Content-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"paused\": true}")).isEqualTo(403);
        assertThat(rawStatus("GET /lab/links HTTP/1.1\r\nHost: localhost\r\n\r\n")).isEqualTo(200);
        assertThat(put("/lab/links/postgres/us-east-1/eu-west-1", "{\"delay\": 5}").body()).startsWith("delay: unknown field");
        assertThat(put("/lab/links/postgres/us-east-1/eu-west-1", "{\"dropping\": true}").body())
                .isEqualTo("dropping: a PostgreSQL replica cannot skip WAL; use paused\n");
        assertThat(put("/lab/links/postgres/us-east-1/eu-west-1", "not json").statusCode()).isEqualTo(400);
        assertThat(put("/lab/links/postgres/us-east-1/mars-1", "{\"paused\": true}").statusCode()).isEqualTo(404);
        assertThat(put("/lab/links/mongodb/us-east-1/eu-west-1", "{\"paused\": true}").statusCode()).isEqualTo(404);
    }

    @Test
    void f_withoutTheLabThereIsNoControlApi() throws Exception {
        ReplagConfig demo = Demo.config(lab, "127.0.0.1", 0, ProbeTiming.DEFAULT);
        ReplagRuntime plain = new ReplagRuntime(new ReplagConfig("another-agent", "127.0.0.1", 0, demo.sets()), null);
        int port = plain.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/lab/links")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(404);
        } finally {
            plain.stop().get(15, TimeUnit.SECONDS);
        }
    }

    /** The status of a request sent as raw bytes (Java's HttpClient will not send another Host). */
    static int rawStatus(String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)))) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1)).readLine();
            return Integer.parseInt(line.split(" ")[1]);
        }
    }
}
