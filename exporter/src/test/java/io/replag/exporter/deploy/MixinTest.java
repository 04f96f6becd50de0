package io.replag.exporter.deploy;

import io.replag.agent.Stores;
import io.replag.agent.metrics.ReplagMetrics;
import io.replag.agent.spi.StoreProvider;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The monitoring mixin (mixin/) is the one source of alerts/, dashboards/ and the PrometheusRule:
 * the committed files are what it generates, every store replag knows has thresholds and an SLO
 * there (equal to what the status page uses), and a user's _config reaches every rule.
 */
class MixinTest {
    static final Path ROOT = DeployFilesTest.ROOT;
    static final List<String> GENERATED = List.of("alerts/replag-rules.yml", "alerts/replag-alerts.yml",
            "deploy/kubernetes/prometheusrule.yaml", "dashboards/replag-overview.json", "dashboards/replag-replication-set.json",
            "dashboards/replag-exporter.json", "mixin/config.json");

    static void require(String tool, String pkg) {
        if (Stream.of(System.getenv("PATH").split(":")).noneMatch(d -> Files.isExecutable(Path.of(d, tool)))) {
            String why = tool + " is not installed (Debian package " + pkg + "); .ci/run installs it";
            System.out.println("SKIPPED MixinTest: " + why);
            Assumptions.abort(why);
        }
    }

    static String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    @Test
    void theCommittedFilesAreWhatTheMixinGenerates(@TempDir Path out) throws Exception {
        require("jsonnet", "jsonnet");
        run(Map.of(), "scripts/mixin", out.toString());
        for (String file : GENERATED) {
            assertThat(Files.readString(ROOT.resolve(file)))
                    .as(file + " is not what mixin/ generates: edit mixin/ (not the file) and run scripts/mixin")
                    .isEqualTo(Files.readString(out.resolve(file)));
        }
        try (Stream<Path> dashboards = Files.list(out.resolve("dashboards"))) {
            assertThat(dashboards.map(p -> "dashboards/" + p.getFileName())).as("every generated dashboard is committed").allMatch(GENERATED::contains);
        }
    }

    @Test
    void everyStoreHasThresholdsAndAnSloInTheMixinEqualToTheExportersOwn() throws Exception {
        JsonObject stores = new JsonObject(Files.readString(ROOT.resolve("mixin/config.json"))).getJsonObject("stores");
        List<Double> buckets = ReplagMetrics.LATENCY_BUCKETS.stream().map(d -> d.toMillis() / 1000.0).toList();
        for (StoreProvider<?> provider : Stores.all()) {
            String key = provider.key();
            JsonObject store = stores.getJsonObject(key);
            assertThat(store).as("mixin/config.libsonnet stores." + key + ": a store without thresholds would never page").isNotNull();
            JsonObject lag = store.getJsonObject("lag");
            assertThat(Duration.ofMillis((long) (lag.getDouble("warning") * 1000))).as(key + ": lag.warning, as the status page")
                    .isEqualTo(provider.lagThreshold().warning());
            assertThat(Duration.ofMillis((long) (lag.getDouble("critical") * 1000))).as(key + ": lag.critical, as the status page")
                    .isEqualTo(provider.lagThreshold().critical());
            JsonObject slo = store.getJsonObject("slo");
            assertThat(buckets).as(key + ": slo.seconds must be an arrival-latency bucket bound").contains(slo.getDouble("seconds"));
            assertThat(slo.getDouble("objective")).as(key + ": slo.objective").isStrictlyBetween(0.0, 1.0);
            assertThat(store.getDouble("stallMinimumSeconds")).as(key + ": stallMinimumSeconds").isNotNegative();
        }
        assertThat(stores.fieldNames()).as("no store the exporter does not know").containsExactlyInAnyOrderElementsOf(Stores.keys());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aUsersConfigReachesEveryRuleAndDashboard(@TempDir Path out) throws Exception {
        require("jsonnet", "jsonnet");
        require("promtool", "prometheus");
        Path config = out.resolve("my-config.libsonnet");
        Files.writeString(config, """
                { _config+:: {
                    jobSelector: 'job="replag-prod"',
                    runbookUrlPattern: 'https://wiki.example.com/replag/%s',
                    stores+: { s3+: { lag: { warning: 600, critical: 1800 } } },
                    resourceSlos: { orders: { seconds: 1, objective: 0.999 } },
                } }
                """);
        run(Map.of("MIXIN_CONFIG", config.toString()), "scripts/mixin", out.toString());
        run(Map.of(), "promtool", "check", "rules", out.resolve("alerts/replag-rules.yml").toString(), out.resolve("alerts/replag-alerts.yml").toString());

        List<Map<String, Object>> rules = new ArrayList<>();
        for (String f : List.of("alerts/replag-rules.yml", "alerts/replag-alerts.yml")) {
            for (Map<String, Object> group : (List<Map<String, Object>>) DeployFilesTest.documents(out.resolve(f)).get(0).get("groups")) {
                rules.addAll((List<Map<String, Object>>) group.get("rules"));
            }
        }
        String everything = Files.readString(out.resolve("alerts/replag-rules.yml")) + Files.readString(out.resolve("alerts/replag-alerts.yml"))
                + Files.readString(out.resolve("dashboards/replag-overview.json")) + Files.readString(out.resolve("dashboards/replag-exporter.json"));
        assertThat(everything).as("the default job selector is gone everywhere").doesNotContain("job=\\\"replag\\\"").doesNotContain("job=\"replag\"");
        for (Map<String, Object> rule : rules) {
            if (rule.get("alert") != null) {
                Map<String, String> annotations = (Map<String, String>) rule.get("annotations");
                assertThat(annotations.get("runbook_url")).isEqualTo("https://wiki.example.com/replag/" + ((String) rule.get("alert")).toLowerCase());
            }
        }
        assertThat(rules).as("S3's own thresholds").anySatisfy(r -> {
            assertThat(r.get("record")).isEqualTo("replag:lag_threshold_seconds");
            assertThat(r.get("expr")).isEqualTo("vector(1800)");
            assertThat(r.get("labels")).isEqualTo(Map.of("store", "s3", "threshold", "critical"));
        });
        // orders gets its own SLO (1 s, 99.9%); the stores' SLOs leave it out
        assertThat(rules).anySatisfy(r -> {
            assertThat(r.get("record")).isEqualTo("replag:slo_errors:ratio_rate5m");
            assertThat(r.get("labels")).isEqualTo(Map.of("resource", "orders"));
            assertThat((String) r.get("expr")).contains("le=~\"1([.]0+)?\"").contains("resource=\"orders\"");
        });
        assertThat(rules).anySatisfy(r -> {
            assertThat(r.get("record")).isEqualTo("replag:slo_burn:rate1h");
            assertThat(r.get("labels")).isEqualTo(Map.of("resource", "orders"));
            assertThat((String) r.get("expr")).endsWith("/ 0.001");
        });
        assertThat(rules).filteredOn(r -> "replag:slo_errors:ratio_rate5m".equals(r.get("record")) && ((Map<String, String>) r.get("labels")).containsKey("store"))
                .hasSize(Stores.all().size()).allSatisfy(r -> assertThat((String) r.get("expr")).contains("resource!~\"orders\""));
    }
}
