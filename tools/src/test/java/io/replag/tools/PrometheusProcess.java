package io.replag.tools;

import io.replag.exporter.Await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Prometheus (Debian's package) on 127.0.0.1 that scrapes one replag every second with the
 * project's rule files loaded, evaluating them every second. Tests start and stop their own.
 */
final class PrometheusProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path work;
    private final Process process;
    private final String url;

    private PrometheusProcess(Path work, Process process, String url) {
        this.work = work;
        this.process = process;
        this.url = url;
    }

    /** Starts Prometheus scraping {@code 127.0.0.1:replagPort} as job {@code replag}, and waits until it is ready. */
    static PrometheusProcess start(int replagPort) throws Exception {
        Path root = MonitoringIT.repoRoot();
        return start("""
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: ["%s", "%s"]
                scrape_configs:
                  - job_name: replag
                    static_configs: [{targets: ["127.0.0.1:%d"]}]
                """.formatted(root.resolve("alerts/replag-rules.yml"), root.resolve("alerts/replag-alerts.yml"), replagPort));
    }

    /** A Prometheus with this configuration file (the project's rule files are at {@link #rules()}). */
    static PrometheusProcess start(String config) throws Exception {
        Path work = Files.createTempDirectory("replag-prometheus-");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(work.resolve("prometheus.yml"), config);
        Process process = new ProcessBuilder("prometheus", "--config.file=" + work.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
        PrometheusProcess prometheus = new PrometheusProcess(work, process, "http://127.0.0.1:" + port);
        Await.until(Duration.ofSeconds(30), "Prometheus ready", () -> get(prometheus.url + "/-/ready").map(r -> r.statusCode() == 200).orElse(false));
        return prometheus;
    }

    String url() {
        return url;
    }

    /** host:port, for another Prometheus to federate this one. */
    String address() {
        return url.substring("http://".length());
    }

    /** The project's rule files, as a YAML list. */
    static String rules() {
        Path root = MonitoringIT.repoRoot();
        return "[\"" + root.resolve("alerts/replag-rules.yml") + "\", \"" + root.resolve("alerts/replag-alerts.yml") + "\"]";
    }

    static Optional<HttpResponse<String>> get(String url) {
        try {
            return Optional.of(HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** An instant query: the JSON answer (status, data or error). */
    JsonObject query(String promql) {
        String q = url + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8);
        return new JsonObject(get(q).orElseThrow(() -> new AssertionError("Prometheus did not answer")).body());
    }

    JsonArray result(String promql) {
        JsonObject answer = query(promql);
        assertThat(answer.getString("status")).as(promql + ": " + answer.getString("error")).isEqualTo("success");
        return answer.getJsonObject("data").getJsonArray("result");
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        }
    }
}
