package io.replag.exporter;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brings the docker-compose stack up where a Docker engine exists: replag's demo scraped by
 * Prometheus with the rules loaded, Grafana serving the provisioned dashboards. Where no engine
 * runs (the build machines have only the Docker client), it says so and is skipped; the compose
 * file is still validated by MonitoringIT.
 */
class ComposeStackIT {
    static final Path ROOT = TestFiles.repoRoot();

    static String run(List<String> command, Duration timeout) throws Exception {
        Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.exitValue() == 0 ? null : out.isBlank() ? "exit " + p.exitValue() : out.strip();
    }

    @Test
    void stackComesUpAndPrometheusScrapesReplag() throws Exception {
        String noEngine = TestFiles.onPath("docker") ? run(List.of("docker", "info"), Duration.ofSeconds(20)) : "no docker client";
        if (noEngine != null) {
            String why = "no Docker engine here (docker info: " + noEngine.lines().reduce((a, b) -> b).orElse("") + ")";
            System.out.println("SKIPPED ComposeStackIT: " + why);
            Assumptions.abort(why);
        }
        try {
            assertThat(run(List.of("docker", "compose", "up", "-d", "--build"), Duration.ofMinutes(15))).isNull();
            HttpClient http = HttpClient.newHttpClient();
            String query = "http://127.0.0.1:9090/api/v1/query?query=" + URLEncoder.encode("up{job=\"replag\"} == 1", StandardCharsets.UTF_8);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            boolean scraped = false;
            while (!scraped && System.nanoTime() < deadline) {
                try {
                    scraped = http.send(HttpRequest.newBuilder(URI.create(query)).build(), HttpResponse.BodyHandlers.ofString())
                            .body().contains("\"job\":\"replag\"");
                } catch (java.io.IOException notYet) {
                    // Prometheus not listening yet
                }
                LockSupport.parkNanos(2_000_000_000L);
            }
            assertThat(scraped).as("Prometheus scrapes replag").isTrue();
            var dashboards = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:3000/api/search?tag=replag")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(dashboards).contains("replag-overview").contains("replag-replication-set").contains("replag-exporter");
        } finally {
            run(List.of("docker", "compose", "down", "-v"), Duration.ofMinutes(5));
        }
    }
}
