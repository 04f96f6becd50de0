package io.replag.tools;

import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.Await;
import io.replag.tools.lab.LabControl;

import io.replag.agent.config.ProbeTiming;
import io.replag.agent.engine.Arrival;
import io.replag.tools.demo.Demo;
import io.replag.exporter.config.ReplagConfig;
import io.replag.exporter.health.RegionHealthConfig;
import io.replag.lab.Lab;
import io.replag.lab.LabStore;
import io.replag.lab.distance.Geography;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outage the product exists for, end to end on the demo (every store the lab can run here,
 * the regions as far apart as AWS's): every server of eu-west-1 stops.
 * <ul>
 *   <li>{@code /health/regions/eu-west-1} answers 503 within the grace;</li>
 *   <li>us-east-1 and ap-southeast-2 answer 200 at every second of the following 3 minutes;</li>
 *   <li>the status page (headless Chromium) shows eu-west-1 down at the top and no green cell
 *   from or to it;</li>
 *   <li>a real Prometheus with the project's rules fires no alert for a pair without eu-west-1;</li>
 *   <li>started again, every region is healthy and no canary written after the restart is missed.</li>
 * </ul>
 * Writes exporter/target/status-page-region-down.png.
 */
class RegionOutageIT {
    static final String DOWN = "eu-west-1";
    static final Duration GRACE = Duration.ofSeconds(20);
    static final HttpClient http = HttpClient.newHttpClient();

    static Lab lab;
    static ReplagRuntime runtime;
    static PrometheusProcess prometheus;
    static String base;
    static final ConcurrentLinkedQueue<Map.Entry<String, Arrival>> arrivals = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        for (String tool : List.of("prometheus", "chromium", "node", "npm")) {
            if (!MonitoringIT.onPath(tool)) {
                String why = tool + " is not installed (Debian packages prometheus, chromium, nodejs, npm); .ci/run installs them";
                System.out.println("SKIPPED RegionOutageIT: " + why);
                Assumptions.abort(why);
            }
        }
        StatusPageIT.installPlaywright();
        lab = Demo.startLab(System.out, Geography.demo(Demo.REGIONS, Demo.PRIMARY));
        // a 20 s deadline, so that a canary missed after the restart would show within the test
        ReplagConfig demo = Demo.config(lab, "127.0.0.1", 0, ProbeTiming.builder().deadline(Duration.ofSeconds(20)).build());
        ReplagConfig config = new ReplagConfig(demo.agent(), demo.listenHost(), 0, demo.sets(),
                new RegionHealthConfig(Duration.ofSeconds(30), GRACE, "both", Set.of()));
        runtime = new ReplagRuntime(config, LabControl.of(lab), (set, pair, a) -> arrivals.add(Map.entry(
                set.store() + "/" + set.name() + "/" + pair.source() + "/" + pair.target(), a)));
        int port = runtime.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + port;
        prometheus = PrometheusProcess.start(port);
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        Fixtures.stop(runtime, lab);
    }

    static int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static int put(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    static boolean allHealthy() {
        return Demo.REGIONS.stream().allMatch(r -> status("/health/regions/" + r) == 200
                && !body("/health/regions/" + r).contains("within grace") && !body("/health/regions/" + r).contains("starting"));
    }

    static String body(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    @Test
    void aRegionGoesDownAloneAndComesBackWhole() throws Exception {
        Await.until(Duration.ofSeconds(90), "every region healthy, nothing in grace", RegionOutageIT::allHealthy);

        // every second, from the stop on: what the other regions' health checks answer
        List<String> bad = new ArrayList<>();
        Map<String, Long> firstFail = new ConcurrentHashMap<>();
        ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor();
        long stoppedAt = System.nanoTime();
        for (LabStore store : lab.stores()) {
            assertThat(put("/lab/regions/" + store.store() + "/" + DOWN, "{\"running\": false}")).as(store.store()).isEqualTo(200);
        }
        checker.scheduleAtFixedRate(() -> {
            long second = (System.nanoTime() - stoppedAt) / 1_000_000_000L;
            for (String region : List.of("us-east-1", "ap-southeast-2")) {
                int code = status("/health/regions/" + region);
                if (code != 200) {
                    bad.add("at " + second + " s " + region + " answered " + code + ": " + body("/health/regions/" + region).strip());
                }
            }
            if (status("/health/regions/" + DOWN) == 503) {
                firstFail.putIfAbsent(DOWN, second);
            }
        }, 0, 1, TimeUnit.SECONDS);
        try {
            Await.until(GRACE.plusSeconds(15), DOWN + " answers 503", () -> firstFail.containsKey(DOWN));
            assertThat(body("/health/regions/" + DOWN)).startsWith("FAIL " + DOWN + ": ").contains("endpoint in " + DOWN + " failing");

            // the status page, with the region down for a while
            Path screenshot = MonitoringIT.repoRoot().resolve("exporter/target/status-page-region-down.png");
            Process node = new ProcessBuilder("node", "check-region-outage.mjs", base, screenshot.toString(), DOWN)
                    .directory(StatusPageIT.BROWSER.toFile()).redirectErrorStream(true).start();
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(node.waitFor(120, TimeUnit.SECONDS)).isTrue();
            System.out.println("region outage page: " + out.strip());
            JsonObject seen = new JsonObject(out.strip().lines().reduce((a, b) -> b).orElse("{}"));
            assertThat(seen.getString("error")).as(out).isNull();
            assertThat(seen.getString("pageError")).isNull();
            assertThat(seen.getString("firstSection")).as("the region view leads").isEqualTo("region-view");
            assertThat(seen.getJsonObject("verdicts").getMap()).containsEntry(DOWN, "FAIL")
                    .containsEntry("us-east-1", "OK").containsEntry("ap-southeast-2", "OK");
            assertThat(seen.getJsonArray("cellsTouching").size()).isGreaterThan(0);
            seen.getJsonArray("cellsTouching").forEach(c -> assertThat(((JsonObject) c).getString("state"))
                    .as("no green cell from or to " + DOWN + ": " + c).isNotEqualTo("ok"));
            assertThat(seen.getJsonArray("deadHeaders").size()).as("its row and column are marked").isGreaterThan(0);
            assertThat(screenshot).isRegularFile();

            // the rest of the 3 minutes, every second checked
            Await.until(Duration.ofSeconds(200), "3 minutes since the stop", () -> System.nanoTime() - stoppedAt > Duration.ofMinutes(3).toNanos());
        } finally {
            checker.shutdownNow();
            checker.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertThat(bad).as("us-east-1 and ap-southeast-2 answer 200 at every second").isEmpty();
        assertThat(firstFail.get(DOWN)).as("503 within the grace (and a second or two of evaluation)")
                .isLessThanOrEqualTo(GRACE.toSeconds() + 3);

        // Prometheus, with the project's rules: nothing fires for a pair without eu-west-1 (the
        // watchdog always fires, on purpose)
        Set<String> firing = new TreeSet<>();
        for (Object o : prometheus.result("ALERTS{alertstate=\"firing\", alertname!=\"ReplagWatchdog\"}")) {
            JsonObject labels = ((JsonObject) o).getJsonObject("metric");
            String where = labels.getString("region", "") + labels.getString("source_region", "") + "/" + labels.getString("target_region", "");
            firing.add(labels.getString("alertname") + " " + labels.encode());
            assertThat(where).as("alert %s involves %s", labels.encode(), DOWN).contains(DOWN);
        }
        System.out.println("firing after 3 minutes: " + firing);

        // back: every region healthy, and no canary written after the restart missed
        for (LabStore store : lab.stores()) {
            assertThat(put("/lab/regions/" + store.store() + "/" + DOWN, "{\"running\": true}")).as(store.store()).isEqualTo(200);
        }
        Await.until(Duration.ofSeconds(120), "every region healthy again", RegionOutageIT::allHealthy);
        long settled = micros(Instant.now());
        // canaries written after the restart: each pair's arrivals are gapless up to one written 25 s after
        // recovery (past the 20 s deadline), so none of them was missed
        Await.until(Duration.ofSeconds(60), "arrivals of canaries written 25 s after recovery on every pair", () -> {
            long mark = settled + 25_000_000;
            return runtime.engine().sets().stream().flatMap(s -> s.pairViews().stream()).allMatch(p -> arrivals.stream()
                    .anyMatch(e -> e.getKey().equals(p.store() + "/" + p.resource() + "/" + p.source() + "/" + p.target())
                            && e.getValue().writtenAtMicros() > mark));
        });
        for (var pair : runtime.engine().sets().stream().flatMap(s -> s.pairViews().stream()).toList()) {
            String key = pair.store() + "/" + pair.resource() + "/" + pair.source() + "/" + pair.target();
            TreeSet<Long> seqs = new TreeSet<>();
            arrivals.stream().filter(e -> e.getKey().equals(key) && e.getValue().writtenAtMicros() > settled)
                    .forEach(e -> seqs.add(e.getValue().seq()));
            assertThat(seqs).as(key + " arrived after the restart").isNotEmpty();
            assertThat(seqs.last() - seqs.first() + 1).as(key + ": no gap, so no canary missed: " + seqs).isEqualTo(seqs.size());
        }
    }
}
