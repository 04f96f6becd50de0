package io.replag.tools;

import io.replag.tools.compare.LabAccuracy;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lab accuracy run in its short mode (the demo geography, every link 1 s), so that it cannot
 * rot: a row per store of the lab, for one process in us-east-1 and for an agent per region beside
 * it, each with canaries, each checked against the lab's own observer of the truth. The truth must
 * lie inside replag's interval for at least 99 % of the canaries of every store, both ways.
 */
class LabAccuracyIT {

    @Test
    void atTheDemosDistancesEveryIntervalHoldsTheTruth() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = LabAccuracy.main(List.of("--short"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        System.out.println(table);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<String[]> rows = table.lines().filter(l -> l.startsWith("| demo | single |") || l.startsWith("| demo | per-region |")).map(l -> l.split("\\|")).toList();
        assertThat(rows).as("postgres at least").isNotEmpty();
        assertThat(rows.stream().map(r -> r[3].trim())).contains("postgres");
        assertThat(rows.stream().map(r -> r[2].trim())).as("one process, and an agent per region beside it").contains("single", "per-region");
        for (String[] r : rows) {
            String store = r[2].trim() + " " + r[3].trim();
            assertThat(Integer.parseInt(r[5].trim())).as("%s canaries", store).isGreaterThan(0);
            String inside = r[6].trim();
            assertThat(inside).as("%s observed by the lab", store).isNotEqualTo("n/a");
            double share = Double.parseDouble(inside.substring(0, inside.indexOf(' ')));
            assertThat(share).as("%s: share of canaries whose truth lies inside replag's interval", store).isGreaterThanOrEqualTo(99.0);
        }
    }
}
