package io.replag.tools;

import io.replag.exporter.Await;

import io.replag.tools.demo.Demo;
import io.replag.lab.postgres.PostgresLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged exporter as a process, as operators run it: {@code java -jar replag.jar run
 * --config FILE}, stopped with SIGTERM. It must drain and exit promptly, count nothing as missed,
 * and a new process must continue the canary seq.
 */
class ShutdownIT {
    static final Path JAR = MonitoringIT.repoRoot().resolve("exporter/target/replag.jar");
    static PostgresLab lab;

    @BeforeAll
    static void start() throws Exception {
        assertThat(JAR).as("failsafe runs after package").isRegularFile();
        lab = PostgresLab.start(Demo.PRIMARY, Demo.REPLICAS);
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static long storedSeq() throws Exception {
        try (Connection c = lab.connect(Demo.PRIMARY); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT seq FROM replag_canary WHERE agent = 'shutdown-test'")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    Process launch(Path config, Path log) throws Exception {
        return new ProcessBuilder("java", "-jar", JAR.toString(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static int status(String url) {
        try {
            return ReloadIT.HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static String metrics(String base) throws Exception {
        return ReloadIT.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void sigtermDrainsAndExitsAndTheNextProcessContinuesTheSeq(@TempDir Path dir) throws Exception {
        int port = freePort();
        StringBuilder yaml = new StringBuilder("""
                agent: shutdown-test
                server: {listen: "127.0.0.1:%d"}
                replication_sets:
                  - name: orders
                    store: postgres
                """.formatted(port));
        yaml.append("    primary: {region: us-east-1, endpoint: \"127.0.0.1:").append(lab.port(Demo.PRIMARY)).append("\"}\n");
        yaml.append("    replicas:\n");
        for (String r : Demo.REPLICAS) {
            yaml.append("      - {region: ").append(r).append(", endpoint: \"127.0.0.1:").append(lab.port(r)).append("\"}\n");
        }
        Path config = Files.writeString(dir.resolve("replag.yaml"), yaml);
        String base = "http://127.0.0.1:" + port;

        Path firstLog = dir.resolve("first.log");
        Process first = launch(config, firstLog);
        Await.until(Duration.ofSeconds(30), "first process ready", () -> status(base + "/ready") == 200);
        Await.until(Duration.ofSeconds(10), "a few canaries arrived", () -> {
            try {
                return storedSeq() >= 3;
            } catch (Exception e) {
                return false;
            }
        });
        long t0 = System.nanoTime();
        first.destroy(); // SIGTERM
        assertThat(first.waitFor(15, TimeUnit.SECONDS)).as("exits within 15 s of SIGTERM").isTrue();
        double seconds = (System.nanoTime() - t0) / 1e9;
        String log = Files.readString(firstLog);
        System.out.printf("SIGTERM to exit: %.2f s, exit code %d%n", seconds, first.exitValue());
        assertThat(log).contains("replag stopping").contains("replag stopped");
        assertThat(status(base + "/health")).as("the port is released").isEqualTo(-1);
        long seqAtStop = storedSeq();

        Process second = launch(config, dir.resolve("second.log"));
        try {
            Await.until(Duration.ofSeconds(30), "second process ready", () -> status(base + "/ready") == 200);
            Await.until(Duration.ofSeconds(10), "second process writes", () -> {
                try {
                    return storedSeq() > seqAtStop + 2;
                } catch (Exception e) {
                    return false;
                }
            });
            String m = metrics(base);
            assertThat(m).contains("replag_canaries_missed_total{resource=\"orders\",source_region=\"us-east-1\",store=\"postgres\",target_region=\"eu-west-1\"} 0.0");
            assertThat(m).doesNotContain("reason=\"stale_seq\"");
        } finally {
            second.destroy();
            second.waitFor(15, TimeUnit.SECONDS);
        }
        assertThat(List.of(Files.readString(dir.resolve("second.log")).split("\n"))).noneMatch(l -> l.contains("ERROR"));
    }
}
