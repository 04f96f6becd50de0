package io.replag.tools;

import io.replag.tools.compare.Comparison;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The comparison script in its short mode, so that it cannot rot: it must run every phase
 * against the real tools and print both tables. Figures are printed, not asserted, except that
 * replag itself measured something in every phase where it runs.
 */
class ComparisonIT {

    @Test
    void theShortComparisonRunsEveryPhaseAgainstTheRealTools() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Comparison.main(List.of("--short"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String log = err.toString(StandardCharsets.UTF_8);
        if (code == 2) {
            System.out.println("SKIPPED ComparisonIT: " + log.strip());
            org.junit.jupiter.api.Assumptions.abort(log.strip());
        }
        String table = out.toString(StandardCharsets.UTF_8);
        System.out.println(table);
        assertThat(code).as(log).isZero();
        assertThat(table).contains("postgres_exporter `pg_replication_lag`", "mysqld_exporter `mysql_slave_status_seconds_behind_master`",
                "delay 1.00 s", "replication stopped at T", "nothing writes at all");
        String delayRow = table.lines().filter(l -> l.startsWith("| delay 1.00 s")).findFirst().orElseThrow();
        assertThat(delayRow).as("replag measured the delay on both engines").doesNotContain("| absent");
    }
}
