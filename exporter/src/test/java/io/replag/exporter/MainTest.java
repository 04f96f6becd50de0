package io.replag.exporter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    static final String GOOD = """
            replication_sets:
              - name: orders
                store: postgres
                primary: {region: us-east-1, endpoint: "db:5432"}
                replicas: [{region: eu-west-1, endpoint: "db-eu:5432"}]
            """;

    @Test
    void checkConfigAcceptsAValidFile(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("ok.yaml"), GOOD);
        assertThat(run("check-config", f.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("1 replication set(s), 1 pair(s)");
    }

    @Test
    void checkConfigListsEveryErrorAndExitsOne(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("bad.yaml"), GOOD.replace("db-eu:5432", "eu-west-1:") + "    colour: blue\n");
        assertThat(run("check-config", f.toString())).isEqualTo(1);
        assertThat(err()).contains(f + ": 2 error(s)")
                .contains("replication_sets[0].replicas[0].endpoint: not a host:port, found \"eu-west-1:\"")
                .contains("replication_sets[0].colour: unknown key");
    }

    @Test
    void runRefusesToStartOnABadFileWithItsPath(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("bad.yaml"), "replication_sets: 3\n");
        assertThat(run("run", "--config", f.toString())).isEqualTo(1);
        assertThat(err()).contains("refusing to start").contains(f.toString()).contains("replication_sets: must be a list");
    }

    @Test
    void missingFileIsAConfigError(@TempDir Path dir) {
        assertThat(run("check-config", dir.resolve("nope.yaml").toString())).isEqualTo(1);
        assertThat(err()).contains("nope.yaml").contains("cannot read the file");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("launch")).isEqualTo(2);
        assertThat(err()).contains("unknown command \"launch\"").contains("usage: replag");
        assertThat(run("run")).isEqualTo(2);
        assertThat(run("run", "--port", "x")).isEqualTo(2);
        assertThat(err()).contains("--port: must be 0 to 65535, found \"x\"");
    }

    @Test
    void theProductionCommandLineHasNoLabCommandsAndSaysWhere() {
        assertThat(run("demo")).isEqualTo(2);
        assertThat(err()).contains("unknown command \"demo\"").contains("in the tools build: ./replag");
        assertThat(Main.USAGE).doesNotContain("  demo ").doesNotContain("  bench ");
    }
}
