package io.replag.tools;

import io.replag.exporter.Await;

import io.replag.tools.demo.Demo;
import io.replag.lab.postgres.PostgresLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGHUP to the packaged exporter: a file with an error is refused and the running configuration
 * stays; a good file replaces it (old series gone, new ones present) without a restart.
 */
class ReloadIT {
    static PostgresLab lab;

    @BeforeAll
    static void start() throws Exception {
        lab = PostgresLab.start(Demo.PRIMARY, Demo.REPLICAS);
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    String yaml(int port, String setName) {
        StringBuilder y = new StringBuilder("""
                agent: reload-test
                server: {listen: "127.0.0.1:%d"}
                replication_sets:
                  - name: %s
                    store: postgres
                """.formatted(port, setName));
        y.append("    primary: {region: us-east-1, endpoint: \"127.0.0.1:").append(lab.port(Demo.PRIMARY)).append("\"}\n");
        y.append("    replicas: [{region: eu-west-1, endpoint: \"127.0.0.1:").append(lab.port("eu-west-1")).append("\"}]\n");
        return y.toString();
    }

    static String metrics(String base) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    static void hup(Process p) throws Exception {
        assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor()).isZero();
    }

    @Test
    void aBadFileIsRefusedAndTheOldConfigKeepsRunningAGoodOneReplacesIt(@TempDir Path dir) throws Exception {
        int port = ShutdownIT.freePort();
        String base = "http://127.0.0.1:" + port;
        Path config = Files.writeString(dir.resolve("replag.yaml"), yaml(port, "orders"));
        Path log = dir.resolve("replag.log");
        Process p = new ProcessBuilder("java", "-jar", ShutdownIT.JAR.toString(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Await.until(Duration.ofSeconds(30), "arrivals for orders", () -> metrics(base)
                    .contains("replag_canaries_arrived_total{resource=\"orders\",source_region=\"us-east-1\",store=\"postgres\",target_region=\"eu-west-1\"} 2"));

            Files.writeString(config, yaml(port, "orders") + "    colour: blue\n");
            hup(p);
            Await.until(Duration.ofSeconds(10), "the refusal is logged", () -> {
                try {
                    return Files.readString(log).contains("reload refused, the running configuration stays");
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(Files.readString(log)).contains("replication_sets[0].colour: unknown key");
            String afterBad = metrics(base);
            assertThat(afterBad).contains("replag_config_last_reload_successful 0.0").contains("resource=\"orders\"");
            long before = arrived(afterBad);
            Await.until(Duration.ofSeconds(10), "the old configuration keeps measuring", () -> arrived(metrics(base)) > before + 1);

            Files.writeString(config, yaml(port, "orders-v2"));
            hup(p);
            Await.until(Duration.ofSeconds(20), "the new set measures", () -> metrics(base).contains(
                    "replag_canaries_arrived_total{resource=\"orders-v2\",source_region=\"us-east-1\",store=\"postgres\",target_region=\"eu-west-1\"} 1"));
            String afterGood = metrics(base);
            assertThat(afterGood).contains("replag_config_last_reload_successful 1.0").doesNotContain("resource=\"orders\"");
            assertThat(afterGood).contains("replag_config_reloads_total{result=\"failure\"} 1.0").contains("replag_config_reloads_total{result=\"success\"} 1.0");
        } finally {
            p.destroy();
            p.waitFor(15, TimeUnit.SECONDS);
        }
    }

    static long arrived(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("replag_canaries_arrived_total{resource=\"orders\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
