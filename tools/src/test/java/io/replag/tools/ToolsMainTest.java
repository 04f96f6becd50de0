package io.replag.tools;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ToolsMainTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        return ToolsMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void theToolsAddTheLabCommandsToTheExportersOwn() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("  demo ").contains("  run --config").contains("  check-config")
                .contains("  accuracy ").contains("  bench ");
        assertThat(run("version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("replag ");
    }

    @Test
    void mistakesExitTwoWithTheToolsUsage() {
        assertThat(run("demo", "--port", "x")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--port: must be 0 to 65535, found \"x\"").contains("  demo ");
        assertThat(run("demo", "--agents", "many")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--agents: must be single or per-region, found \"many\"");
        assertThat(run("launch")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command \"launch\"");
    }
}
