package io.replag.tools;

import io.replag.exporter.ReplagRuntime;
import io.replag.tools.lab.LabControl;

import io.replag.agent.config.ProbeTiming;
import io.replag.tools.demo.Demo;
import io.replag.exporter.config.ReplagConfig;
import io.replag.exporter.health.RegionHealthConfig;
import io.replag.lab.Lab;
import io.replag.lab.postgres.PostgresLab;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status page in headless Chromium (Debian's package, driven by playwright-core from npm):
 * it renders one cell per probed pair, and a paused lab link turns its cell to the alarm state
 * without a reload. Writes exporter/target/status-page.png.
 */
class StatusPageIT {
    static final Path BROWSER = MonitoringIT.repoRoot().resolve("tools/src/test/browser");
    static Lab lab;
    static ReplagRuntime runtime;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        for (String tool : List.of("chromium", "node", "npm")) {
            if (!MonitoringIT.onPath(tool)) {
                String why = tool + " is not installed (Debian packages chromium, nodejs, npm); .ci/run installs them";
                System.out.println("SKIPPED StatusPageIT: " + why);
                Assumptions.abort(why);
            }
        }
        installPlaywright();
        lab = new Lab(List.of(PostgresLab.start(Demo.PRIMARY, Demo.REPLICAS)));
        ReplagConfig demo = Demo.config(lab, "127.0.0.1", 0, ProbeTiming.DEFAULT);
        // alarm above 2 s, so that a paused link turns red within seconds
        ReplagConfig config = new ReplagConfig(demo.agent(), demo.listenHost(), 0, demo.sets(),
                new RegionHealthConfig(Duration.ofSeconds(2), Duration.ofSeconds(2), "both", Set.of()), demo.agentOptions(),
                new io.replag.exporter.config.LagThresholds(java.util.Map.of("postgres",
                        io.replag.agent.config.LagThreshold.of(Duration.ofSeconds(1), Duration.ofSeconds(2)))));
        runtime = new ReplagRuntime(config, LabControl.of(lab));
        base = "http://127.0.0.1:" + runtime.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** playwright-core, pinned by its lockfile, installed once (.ci/run does it up front). */
    static void installPlaywright() throws Exception {
        if (!Files.isDirectory(BROWSER.resolve("node_modules/playwright-core"))) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(BROWSER.toFile()).redirectErrorStream(true).start();
            String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(npm.waitFor()).as("npm ci in " + BROWSER + ": " + out).isZero();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        Fixtures.stop(runtime, lab);
    }

    @Test
    void matrixRendersAndAPausedLinkTurnsItsCellToAlarmWithoutAReload() throws Exception {
        Path screenshot = MonitoringIT.repoRoot().resolve("exporter/target/status-page.png");
        Process node = new ProcessBuilder("node", "check-status-page.mjs", base, screenshot.toString(),
                "postgres/orders/us-east-1/eu-west-1").directory(BROWSER.toFile()).redirectErrorStream(true).start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(90, TimeUnit.SECONDS)).isTrue();
        System.out.println("status page check: " + out.strip());
        String last = out.strip().lines().reduce((a, b) -> b).orElse("{}");
        JsonObject seen = new JsonObject(last);

        assertThat(seen.getString("error")).as(out).isNull();
        assertThat(seen.getString("pageError")).as("no script error in the page").isNull();
        assertThat(seen.getInteger("cells")).as("one cell per probed pair").isEqualTo(2);
        assertThat(seen.getJsonArray("statesBefore").getList()).containsOnly("ok");
        assertThat(seen.getInteger("pauseStatus")).isEqualTo(200);
        assertThat(seen.getBoolean("sameDocument")).as("updated live, not reloaded").isTrue();
        assertThat(seen.getInteger("othersInAlarm")).isZero();
        assertThat(screenshot).isRegularFile();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
    }
}
