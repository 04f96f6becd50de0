package io.replag.tools;

import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.Await;

import io.replag.agent.config.ProbeTiming;
import io.replag.tools.demo.Demo;
import io.replag.exporter.config.AgentOptions;
import io.replag.exporter.config.ReplagConfig;
import io.replag.exporter.health.RegionHealthConfig;
import io.replag.lab.Lab;
import io.replag.lab.LabStore;
import io.replag.lab.Ports;
import io.replag.lab.distance.Geography;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent per region, as production runs them: three agents (one per lab region, the regions as
 * far apart as AWS's, each at home in its own), each scraped by its region's Prometheus (Debian's
 * package, `region` as an external label), and a global Prometheus that federates the three and
 * evaluates the project's rules.
 * <ul>
 *   <li>the global view has every pair exactly once, each from the agent of its target region;</li>
 *   <li>with the eu-west-1 agent and lab region stopped, the other agents' /health/regions/eu-west-1
 *   answers 503 within the grace (a quorum of 2 of 3), and /health/regions/us-east-1 still 200;</li>
 *   <li>an alert fires in the global Prometheus for eu-west-1: nothing measures the pairs into it.</li>
 * </ul>
 */
class RegionalAgentsIT {
    static final String DOWN = "eu-west-1";
    static final Duration GRACE = Duration.ofSeconds(15);
    static final HttpClient http = HttpClient.newHttpClient();

    static Lab lab;
    static final Map<String, ReplagRuntime> agents = new LinkedHashMap<>();
    static final Map<String, Integer> ports = new LinkedHashMap<>();
    static final List<PrometheusProcess> regional = new ArrayList<>();
    static PrometheusProcess global;
    static int pairs;

    @BeforeAll
    static void start() throws Exception {
        if (!MonitoringIT.onPath("prometheus")) {
            String why = "prometheus is not installed (Debian package prometheus); .ci/run installs it";
            System.out.println("SKIPPED RegionalAgentsIT: " + why);
            Assumptions.abort(why);
        }
        lab = Demo.startLab(System.out, Geography.demo(Demo.REGIONS, Demo.PRIMARY));
        for (String region : Demo.REGIONS) {
            ports.put(region, Ports.free());
        }
        List<AgentOptions.Peer> peers = new ArrayList<>();
        ports.forEach((region, port) -> peers.add(new AgentOptions.Peer(region, URI.create("http://127.0.0.1:" + port))));
        List<ReplagConfig> configs = Demo.perRegionAgents(lab, "127.0.0.1", 0, ProbeTiming.DEFAULT, "replag");
        StringBuilder federate = new StringBuilder();
        for (ReplagConfig c : configs) {
            String region = c.agentOptions().region().orElseThrow();
            // the same file in every region: every agent knows every peer (its own entry is skipped)
            ReplagConfig agent = new ReplagConfig(c.agent(), c.listenHost(), ports.get(region), c.sets(),
                    new RegionHealthConfig(Duration.ofSeconds(30), GRACE, "both", Set.of()), c.agentOptions().withPeers(peers));
            ReplagRuntime runtime = new ReplagRuntime(agent, null);
            runtime.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            agents.put(region, runtime);
            pairs = c.pairCount();
            PrometheusProcess p = PrometheusProcess.start("""
                    global: {scrape_interval: 1s, evaluation_interval: 1s, external_labels: {region: %s}}
                    scrape_configs:
                      - job_name: replag
                        static_configs: [{targets: ["127.0.0.1:%d"]}]
                    """.formatted(region, ports.get(region)));
            regional.add(p);
            federate.append("\"").append(p.address()).append("\", ");
        }
        global = PrometheusProcess.start("""
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: %s
                scrape_configs:
                  - job_name: federate
                    honor_labels: true
                    metrics_path: /federate
                    params: {"match[]": ['{job="replag"}']}
                    static_configs: [{targets: [%s]}]
                """.formatted(PrometheusProcess.rules(), federate.substring(0, federate.length() - 2)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (global != null) {
            global.close();
        }
        for (PrometheusProcess p : regional) {
            p.close();
        }
        for (ReplagRuntime r : agents.values()) {
            r.stop().get(15, TimeUnit.SECONDS);
        }
        if (lab != null) {
            lab.close();
        }
    }

    static int status(String region, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(region) + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static String body(String region, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(region) + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void theGlobalViewHasEveryPairOnceAndADeadRegionBlindsNoOther() {
        // every pair once, in the global view, each measured by the agent of its target region
        Await.until(Duration.ofSeconds(90), "every pair in the global view", () -> global.result("replag_lag_seconds").size() == pairs);
        assertThat(global.result("count by (store, resource, source_region, target_region) (replag_lag_seconds) > 1"))
                .as("no pair twice").isEmpty();
        JsonArray lags = global.result("replag_lag_seconds");
        for (int i = 0; i < lags.size(); i++) {
            JsonObject labels = lags.getJsonObject(i).getJsonObject("metric");
            assertThat(labels.getString("agent")).as(labels.encode()).isEqualTo("replag@" + labels.getString("target_region"));
            assertThat(labels.getString("region")).as("the regional Prometheus's label").isEqualTo(labels.getString("target_region"));
        }
        Await.until(Duration.ofSeconds(90), "every region healthy on every agent", () -> Demo.REGIONS.stream().allMatch(agent ->
                Demo.REGIONS.stream().allMatch(r -> status(agent, "/health/regions/" + r) == 200
                        && body(agent, "/health/regions/" + r).startsWith("OK " + r + ": replication within"))));

        // eu-west-1 goes, and its agent with it
        long stoppedAt = System.nanoTime();
        agents.get(DOWN).stop().join();
        for (LabStore store : lab.stores()) {
            try {
                store.stopRegion(DOWN);
            } catch (Exception e) {
                throw new AssertionError("stopping " + store.store() + " in " + DOWN, e);
            }
        }
        for (String agent : List.of("us-east-1", "ap-southeast-2")) {
            Await.until(GRACE.plusSeconds(10), agent + "'s agent answers 503 for " + DOWN,
                    () -> status(agent, "/health/regions/" + DOWN) == 503);
            assertThat(body(agent, "/health/regions/" + DOWN)).startsWith("FAIL " + DOWN + ": ")
                    .contains("the agent in " + DOWN + " does not answer its peers");
        }
        double failedAfter = (System.nanoTime() - stoppedAt) / 1e9;
        assertThat(failedAfter).as("within the grace, and the few seconds of peers' answers going stale").isLessThan(GRACE.toSeconds() + 8);
        for (String agent : List.of("us-east-1", "ap-southeast-2")) {
            for (String region : List.of("us-east-1", "ap-southeast-2")) {
                assertThat(status(agent, "/health/regions/" + region)).as(agent + " on " + region + ": "
                        + body(agent, "/health/regions/" + region)).isEqualTo(200);
            }
        }

        // the global view pages for eu-west-1: nothing measures replication into it
        Await.until(Duration.ofSeconds(120), "ReplagRegionAgentDown firing for " + DOWN, () ->
                global.result("ALERTS{alertname=\"ReplagRegionAgentDown\",alertstate=\"firing\",region=\"" + DOWN + "\"}").size() == 1);
        assertThat(global.result("ALERTS{alertstate=\"firing\",region!=\"" + DOWN + "\",alertname=\"ReplagRegionAgentDown\"}")).isEmpty();
    }
}
