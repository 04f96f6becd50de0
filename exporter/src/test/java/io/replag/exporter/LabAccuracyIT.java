package io.replag.exporter;

import io.replag.exporter.compare.LabAccuracy;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lab accuracy script in its short mode, so that it cannot rot: a row per store of the lab
 * and injected delay, with canaries counted. Figures are printed; only that each row measured
 * something, and that PostgreSQL's 1 s row is not below the injected delay minus its uncertainty,
 * is asserted (the lab's overhead can only add to the delay).
 */
class LabAccuracyIT {

    @Test
    void theShortRunMeasuresEveryStoreOfTheLab() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = LabAccuracy.main(List.of("--short"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        System.out.println(table);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<String> rows = table.lines().filter(l -> l.startsWith("| postgres") || l.startsWith("| mysql")
                || l.startsWith("| dynamodb") || l.startsWith("| s3")).toList();
        assertThat(rows).as("postgres at least, at 0 s and 1 s").hasSizeGreaterThanOrEqualTo(2);
        assertThat(rows).allSatisfy(r -> assertThat(r.split("\\|")[3].trim()).as(r).isNotEqualTo("0"));
        String pg = rows.stream().filter(r -> r.startsWith("| postgres | 1.0 s")).findFirst().orElseThrow();
        double median = Double.parseDouble(pg.split("\\|")[4].trim().replace(" s", ""));
        double uncertainty = Double.parseDouble(pg.split("\\|")[6].trim().replace(" s", ""));
        assertThat(median).isGreaterThanOrEqualTo(1.0 - uncertainty);
    }
}
