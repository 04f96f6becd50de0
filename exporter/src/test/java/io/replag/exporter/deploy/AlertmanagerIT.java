package io.replag.exporter.deploy;

import io.replag.exporter.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/alertmanager/alertmanager.yml on a real Alertmanager (Debian's prometheus-alertmanager, on
 * 127.0.0.1): one cause pages once. The alerts posted carry the labels the rules give them
 * (pair alerts: job, instance and the pair; burn-rate alerts: the pair only; endpoint alerts: the
 * region), so an inhibition whose {@code equal} names a label one side lacks fails here.
 */
class AlertmanagerIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static Process alertmanager;
    static Path work;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        if (Stream.of(System.getenv("PATH").split(":")).noneMatch(d -> Files.isExecutable(Path.of(d, "prometheus-alertmanager")))) {
            String why = "prometheus-alertmanager is not installed (Debian package prometheus-alertmanager); .ci/run installs it";
            System.out.println("SKIPPED AlertmanagerIT: " + why);
            Assumptions.abort(why);
        }
        work = Files.createTempDirectory("replag-alertmanager-");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        alertmanager = new ProcessBuilder("prometheus-alertmanager",
                "--config.file=" + DeployFilesTest.ROOT.resolve("deploy/alertmanager/alertmanager.yml"),
                "--storage.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")
                .redirectErrorStream(true).redirectOutput(work.resolve("alertmanager.log").toFile()).start();
        url = "http://127.0.0.1:" + port;
        Await.until(Duration.ofSeconds(30), "Alertmanager ready", () -> get("/-/ready").map(r -> r.statusCode() == 200).orElse(false));
    }

    @AfterAll
    static void stop() throws Exception {
        if (alertmanager != null) {
            alertmanager.destroy();
            if (!alertmanager.waitFor(10, TimeUnit.SECONDS)) {
                alertmanager.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Optional<HttpResponse<String>> get(String path) {
        try {
            return Optional.of(HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static Map<String, String> pair(String target, boolean scraped) {
        Map<String, String> labels = new HashMap<>(Map.of("store", "postgres", "resource", "orders",
                "source_region", "us-east-1", "target_region", target));
        if (scraped) {
            labels.putAll(Map.of("job", "replag", "instance", "replag:9478"));
        }
        return labels;
    }

    static Map<String, String> endpoint(String region) {
        return Map.of("job", "replag", "instance", "replag:9478", "store", "dynamodb", "resource", "sessions", "region", region);
    }

    static JsonObject alert(String name, String severity, Map<String, String> labels) {
        JsonObject l = new JsonObject().put("alertname", name).put("severity", severity);
        labels.forEach(l::put);
        return new JsonObject().put("labels", l).put("annotations", new JsonObject().put("summary", name))
                .put("startsAt", Instant.now().minusSeconds(60).toString()).put("endsAt", Instant.now().plusSeconds(600).toString());
    }

    /** alertname + target or region, to {inhibited, receivers}. */
    static Map<String, JsonObject> statuses() {
        JsonArray alerts = new JsonArray(get("/api/v2/alerts").orElseThrow().body());
        Map<String, JsonObject> out = new HashMap<>();
        for (Object o : alerts) {
            JsonObject a = (JsonObject) o;
            JsonObject labels = a.getJsonObject("labels");
            String where = labels.getString("target_region", labels.getString("region", ""));
            out.put(labels.getString("alertname") + "@" + where, a);
        }
        return out;
    }

    static boolean inhibited(JsonObject alert) {
        return !alert.getJsonObject("status").getJsonArray("inhibitedBy").isEmpty();
    }

    @Test
    void oneCausePagesOnce() throws Exception {
        JsonArray alerts = new JsonArray(List.of(
                // eu-west-1 stalls: Stalled pages; its lag, burn rate and missed canaries follow from it
                alert("ReplagReplicationStalled", "critical", pair("eu-west-1", true)),
                alert("ReplagLagCritical", "critical", pair("eu-west-1", true)),
                alert("ReplagArrivalSLOBurnRateHigh", "critical", pair("eu-west-1", false)),
                alert("ReplagArrivalSLOBurnRateElevated", "warning", pair("eu-west-1", false)),
                alert("ReplagCanariesMissed", "warning", pair("eu-west-1", false)),
                // another pair burning its budget on its own must still page
                alert("ReplagArrivalSLOBurnRateHigh", "critical", pair("ap-southeast-2", false)),
                // writes fail in eu-central-1: one page, not four
                alert("ReplagCanaryWritesFailing", "critical", endpoint("eu-central-1")),
                alert("ReplagEndpointDown", "warning", endpoint("eu-central-1")),
                alert("ReplagEndpointErrorRatio", "warning", endpoint("eu-central-1")),
                alert("ReplagCanaryWriterSilent", "critical", endpoint("eu-central-1")),
                // an endpoint down elsewhere is its own warning
                alert("ReplagEndpointDown", "warning", endpoint("us-west-2")),
                alert("ReplagEndpointErrorRatio", "warning", endpoint("us-west-2")),
                alert("ReplagWatchdog", "none", Map.of())));
        HttpResponse<String> posted = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/api/v2/alerts"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(alerts.encode())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        Await.until(Duration.ofSeconds(10), "all alerts received", () -> statuses().size() == alerts.size());

        Map<String, JsonObject> s = statuses();
        Map<String, Boolean> inhibited = new java.util.TreeMap<>();
        s.forEach((k, a) -> inhibited.put(k, inhibited(a)));
        assertThat(inhibited).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("ReplagReplicationStalled@eu-west-1", false),
                Map.entry("ReplagLagCritical@eu-west-1", true),
                Map.entry("ReplagArrivalSLOBurnRateHigh@eu-west-1", true),
                Map.entry("ReplagArrivalSLOBurnRateElevated@eu-west-1", true),
                Map.entry("ReplagCanariesMissed@eu-west-1", true),
                Map.entry("ReplagArrivalSLOBurnRateHigh@ap-southeast-2", false),
                Map.entry("ReplagCanaryWritesFailing@eu-central-1", false),
                Map.entry("ReplagEndpointDown@eu-central-1", true),
                Map.entry("ReplagEndpointErrorRatio@eu-central-1", true),
                Map.entry("ReplagCanaryWriterSilent@eu-central-1", true),
                Map.entry("ReplagEndpointDown@us-west-2", false),
                Map.entry("ReplagEndpointErrorRatio@us-west-2", true),
                Map.entry("ReplagWatchdog@", false)));
        assertThat(s.get("ReplagWatchdog@").getJsonArray("receivers").getJsonObject(0).getString("name"))
                .as("the watchdog goes to the dead man's switch").isEqualTo("watchdog");
        assertThat(s.get("ReplagReplicationStalled@eu-west-1").getJsonArray("receivers").getJsonObject(0).getString("name")).isEqualTo("null");
    }
}
