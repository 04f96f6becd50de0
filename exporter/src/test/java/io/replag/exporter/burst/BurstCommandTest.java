package io.replag.exporter.burst;

import io.replag.exporter.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code replag burst} refuses, before it writes anything. */
class BurstCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int burst(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String config() throws Exception {
        Path file = dir.resolve("replag.yml");
        Files.writeString(file, """
                agent: replag
                replication_sets:
                  - name: sessions
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: sessions}
                    burst: {allowed: true}
                  - name: carts
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: carts}
                """);
        return file.toString();
    }

    @Test
    void aSetWithoutBurstAllowedIsRefused() throws Exception {
        int code = burst("burst", "--config", config(), "--set", "carts", "--source", "us-east-1", "--records", "10", "--rate", "10", "--read-after", "500ms");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("refusing: set \"carts\" has no burst: {allowed: true}");
    }

    @Test
    void anUnknownSetOrSourceIsNamed() throws Exception {
        assertThat(burst("burst", "--config", config(), "--set", "orders", "--source", "us-east-1", "--records", "10", "--rate", "10",
                "--read-after", "500ms")).isEqualTo(1);
        assertThat(err.toString()).contains("--set: no replication set \"orders\" (sets: sessions, carts)");
        assertThat(burst("burst", "--config", config(), "--set", "sessions", "--source", "sa-east-1", "--records", "10", "--rate", "10",
                "--read-after", "500ms")).isEqualTo(1);
        assertThat(err.toString()).contains("--source: \"sa-east-1\" replicates to no region in set \"sessions\" (sources: us-east-1, eu-west-1)");
    }

    @Test
    void againstAwsItPrintsTheCostAndStartsOnlyWithYes() throws Exception {
        int code = burst("burst", "--config", config(), "--set", "sessions", "--source", "us-east-1", "--records", "1000000", "--rate", "1000",
                "--read-after", "500ms", "--poll", "0");
        assertThat(code).isEqualTo(BurstCommand.NEEDS_YES);
        // 1 M records + 1 M replicated + 2 M for their deletes (no TTL attribute); 1 M consistent reads
        assertThat(out.toString()).contains("4,000,000 write units").contains("$2.50")
                .contains("1,000,000 consistent read units").contains("$0.13").contains("rerun with --yes");
    }

    @Test
    void badFlagsNameTheFlagAndTheValue() throws Exception {
        assertThat(burst("burst", "--config", config(), "--set", "sessions", "--source", "us-east-1", "--records", "ten")).isEqualTo(2);
        assertThat(err.toString()).contains("--records: must be a whole number, found \"ten\"");
        assertThat(burst("burst", "--config", config(), "--set", "sessions", "--source", "us-east-1", "--records", "10", "--rate", "10",
                "--read-after", "half a second")).isEqualTo(2);
        assertThat(err.toString()).contains("--read-after: must be a duration such as 500ms, 2s or 1m, found \"half a second\"");
        assertThat(burst("burst", "--config", config(), "--set", "sessions", "--source", "us-east-1", "--records", "10", "--rate", "10")).isEqualTo(2);
        assertThat(err.toString()).contains("burst needs --read-after");
        assertThat(burst("burst", "--config", config(), "--set", "sessions", "--source", "us-east-1", "--records", "10", "--rate", "10",
                "--read-after", "2s", "--deadline", "1s")).isEqualTo(2);
        assertThat(err.toString()).contains("--deadline: must be longer than --read-after (2000ms), found 1000ms");
    }

    @Test
    void durationsTakeTheUnitsOfTheConfig() {
        assertThat(BurstOptions.duration("--poll", "0")).isZero();
        assertThat(BurstOptions.duration("--poll", "250ms").toMillis()).isEqualTo(250);
        assertThat(BurstOptions.duration("--deadline", "1.5s").toMillis()).isEqualTo(1500);
        assertThat(BurstOptions.parse(new ArrayDeque<>(List.of("--set", "s", "--source", "r", "--records", "1", "--rate", "1", "--read-after", "1s")))
                .poll()).isEqualTo(BurstOptions.DEFAULT_POLL);
    }
}
