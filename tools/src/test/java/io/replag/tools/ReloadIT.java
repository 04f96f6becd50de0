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

    /** One client, and a timeout on every request: a poll that hangs must not outlast the await's bound. */
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static String metrics(String base) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    /*
     * The processes start through "env --default-signal=HUP": a test run under nohup (or any parent
     * that ignores SIGHUP) would pass the "ignore" on, the JVM would then keep it, and no reload
     * would ever happen (replag says so at start).
     */
    static boolean logContains(Path log, String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (java.io.IOException e) {
            return false;
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
        Process p = new ProcessBuilder("env", "--default-signal=HUP", "java", "-jar", ShutdownIT.JAR.toString(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Await.until(Duration.ofSeconds(30), "arrivals for orders", () -> arrived(metrics(base)) >= 2);

            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/-/reload")).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("no lifecycle endpoint without --web.enable-lifecycle").isEqualTo(404);
            Files.writeString(config, yaml(port, "orders") + "    colour: blue\n");
            hup(p);
            Await.until(Duration.ofSeconds(10), "the refusal is logged", () -> logContains(log, "reload refused, the running configuration stays"));
            assertThat(Files.readString(log)).contains("replication_sets[0].colour: unknown key");
            String afterBad = metrics(base);
            assertThat(afterBad).contains("replag_config_last_reload_successful 0.0").contains("resource=\"orders\"");
            long before = arrived(afterBad);
            Await.until(Duration.ofSeconds(10), "the old configuration keeps measuring", () -> arrived(metrics(base)) > before + 1);

            Files.writeString(config, yaml(port, "orders-v2"));
            hup(p);
            Await.until(Duration.ofSeconds(20), "the new set measures", () -> arrived(metrics(base), "orders-v2") >= 1);
            String afterGood = metrics(base);
            assertThat(afterGood).contains("replag_config_last_reload_successful 1.0").doesNotContain("resource=\"orders\"");
            assertThat(afterGood).contains("replag_config_reloads_total{result=\"failure\"} 1.0").contains("replag_config_reloads_total{result=\"success\"} 1.0");
        } finally {
            p.destroy();
            p.waitFor(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void anUnchangedSetKeepsItsCountersAcrossAReloadAChangedOneStartsAgain(@TempDir Path dir) throws Exception {
        int port = ShutdownIT.freePort();
        String base = "http://127.0.0.1:" + port;
        // a canary is one record per (agent, source region): the second set writes to a table of its own
        String two = yaml(port, "orders") + yaml(port, "billing").substring(yaml(port, "billing").indexOf("  - name:"))
                + "    postgres: {table: replag_canary_billing}\n";
        Path config = Files.writeString(dir.resolve("replag.yaml"), two);
        Process p = new ProcessBuilder("env", "--default-signal=HUP", "java", "-jar", ShutdownIT.JAR.toString(), "run", "--config", config.toString(), "--web.enable-lifecycle")
                .redirectErrorStream(true).redirectOutput(dir.resolve("replag.log").toFile()).start();
        try {
            Await.until(Duration.ofSeconds(30), "both sets measure", () -> arrived(metrics(base), "orders") >= 3 && arrived(metrics(base), "billing") >= 3);
            // billing changes (its interval), orders does not
            Files.writeString(config, two.replace("  - name: billing\n", "  - name: billing\n    interval: 2s\n"));
            long ordersBefore = arrived(metrics(base), "orders");
            // the lifecycle endpoint does what SIGHUP does
            HttpResponse<String> reloaded = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/-/reload")).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(reloaded.statusCode()).as(reloaded.body()).isEqualTo(200);
            Await.until(Duration.ofSeconds(20), "the reload is done", () -> metrics(base).contains("replag_config_reloads_total{result=\"success\"} 1.0"));
            String after = metrics(base);
            assertThat(arrived(after, "orders")).as("orders kept its counter").isGreaterThanOrEqualTo(ordersBefore);
            assertThat(arrived(after, "billing")).as("billing started again").isLessThan(3);
            Await.until(Duration.ofSeconds(20), "billing measures again", () -> arrived(metrics(base), "billing") >= 1);
            assertThat(Files.readString(dir.resolve("replag.log"))).contains("1 unchanged kept running with their meters");
        } finally {
            p.destroy();
            p.waitFor(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void underNohupReplagSaysThatAReloadNeedsARestart(@TempDir Path dir) throws Exception {
        int port = ShutdownIT.freePort();
        Path config = Files.writeString(dir.resolve("replag.yaml"), yaml(port, "orders"));
        Path log = dir.resolve("replag.log");
        Process p = new ProcessBuilder("nohup", "java", "-jar", ShutdownIT.JAR.toString(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Await.until(Duration.ofSeconds(30), "it says so at start",
                    () -> logContains(log, "replag: SIGHUP is ignored in this process (started under nohup?)"));
        } finally {
            p.destroy();
            p.waitFor(15, TimeUnit.SECONDS);
        }
    }

    static long arrived(String metrics, String set) {
        return metrics.lines().filter(l -> l.startsWith("replag_canaries_arrived_total{resource=\"" + set + "\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static long arrived(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("replag_canaries_arrived_total{resource=\"orders\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
