package io.replag.exporter.deploy;

import io.replag.exporter.config.ConfigLoader;
import io.replag.exporter.config.ReplagConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The multi-region layout in deploy/ is checked, not just shipped: the PrometheusRule holds exactly
 * alerts/' groups (scripts/mixin writes both), the Kubernetes objects say one agent per
 * region, the shared replag.yaml loads in every region, and the Prometheus files pass promtool.
 */
class DeployFilesTest {
    static final Path ROOT = root();

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("deploy/kubernetes"))) {
            p = p.getParent();
        }
        return p;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents(Path file) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(file)).forEach(d -> out.add((Map<String, Object>) d));
        return out;
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePrometheusRuleHoldsExactlyTheGroupsOfAlerts() throws Exception {
        List<Object> expected = new ArrayList<>();
        for (String f : List.of("alerts/replag-rules.yml", "alerts/replag-alerts.yml")) {
            expected.addAll((List<Object>) documents(ROOT.resolve(f)).get(0).get("groups"));
        }
        Map<String, Object> rule = documents(ROOT.resolve("deploy/kubernetes/prometheusrule.yaml")).get(0);
        assertThat(rule.get("kind")).isEqualTo("PrometheusRule");
        assertThat(((Map<String, Object>) rule.get("spec")).get("groups"))
                .as("deploy/kubernetes/prometheusrule.yaml is out of date: run scripts/mixin").isEqualTo(expected);
    }

    /** An inhibition naming an alert that no longer exists would silently stop inhibiting. */
    @Test
    @SuppressWarnings("unchecked")
    void theAlertmanagerInhibitionsNameExistingAlerts() throws Exception {
        java.util.Set<String> alerts = new java.util.HashSet<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) documents(ROOT.resolve("alerts/replag-alerts.yml")).get(0).get("groups")) {
            ((List<Map<String, Object>>) group.get("rules")).forEach(r -> alerts.add((String) r.get("alert")));
        }
        Map<String, Object> am = documents(ROOT.resolve("deploy/alertmanager/alertmanager.yml")).get(0);
        List<String> named = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("alertname=~?\"([^\"]+)\"").matcher(am.toString());
        while (m.find()) {
            named.addAll(List.of(m.group(1).split("\\|")));
        }
        assertThat(named).hasSizeGreaterThan(10);
        assertThat(alerts).containsAll(named);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theKubernetesObjectsRunOneAgentPerRegion() throws Exception {
        List<Map<String, Object>> docs = documents(ROOT.resolve("deploy/kubernetes/replag.yaml"));
        assertThat(docs).extracting(d -> d.get("kind")).containsExactly("Deployment", "Service", "ServiceMonitor");
        Map<String, Object> spec = (Map<String, Object>) docs.get(0).get("spec");
        assertThat(spec.get("replicas")).as("two agents in a region would write the same canary").isEqualTo(1);
        assertThat(((Map<String, Object>) spec.get("strategy")).get("type")).isEqualTo("Recreate");
        Map<String, Object> container = ((List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>) spec.get("template"))
                .get("spec")).get("containers")).get(0);
        assertThat((List<String>) container.get("args")).containsSequence("--region", "$(REGION)");
    }

    @Test
    void theSharedConfigLoadsInEveryRegion(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("peer-password"), "x");
        Files.writeString(dir.resolve("ca.pem"), "x");
        Files.writeString(dir.resolve("rds.pem"), "x");
        String text = Files.readString(ROOT.resolve("deploy/multi-region/replag.yaml"))
                .replace("/etc/replag/", dir + "/").replace("/etc/ssl/certs/rds-global-bundle.pem", dir.resolve("rds.pem").toString());
        ReplagConfig config = new ConfigLoader(k -> null).parse("deploy/multi-region/replag.yaml", text);
        for (String region : config.regions()) {
            ReplagConfig agent = config.inRegion(region);
            assertThat(agent.agentOptions().otherPeers()).hasSize(2).noneMatch(p -> p.region().equals(region));
        }
    }

    @Test
    void thePrometheusFilesPassPromtool(@TempDir Path dir) throws Exception {
        boolean promtool = Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "promtool")));
        if (!promtool) {
            System.out.println("SKIPPED thePrometheusFilesPassPromtool: promtool is not installed (Debian package prometheus); .ci/run installs it");
            Assumptions.abort("promtool is not installed");
        }
        Files.writeString(dir.resolve("replag-password"), "x");
        Files.writeString(dir.resolve("replag-ca.pem"), "x");
        for (String name : List.of("prometheus-regional.yml", "prometheus-global.yml")) {
            Path file = dir.resolve(name);
            Files.writeString(file, Files.readString(ROOT.resolve("deploy/multi-region/" + name))
                    .replace("/etc/prometheus/rules/", ROOT.resolve("alerts") + "/").replace("/etc/prometheus/", dir + "/"));
            Process p = new ProcessBuilder("promtool", "check", "config", file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(name + ": " + out).isZero();
        }
    }
}
