package io.replag.tools.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the benchmark in its short form so that it cannot rot; the figures are printed, not asserted. */
class EngineBenchTest {

    @Test
    void shortRunPrintsAFigureRowPerSizeAndTheBaseline() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = EngineBench.main(new ArrayDeque<>(List.of("--short", "--seconds", "3", "--pairs", "100")), out);
        String printed = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(printed);

        assertThat(code).isZero();
        assertThat(printed).contains("cores").contains("cpu_s/s");
        List<String> rows = printed.lines().filter(l -> l.matches("\\s+\\d+\\s+\\d.*")).toList();
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0).trim()).startsWith("1 ");
        String[] hundred = rows.get(1).trim().split("\\s+");
        assertThat(hundred[0]).isEqualTo("100");
        assertThat(hundred[hundred.length - 1]).isEqualTo("default");
        assertThat(Double.parseDouble(hundred[hundred.length - 3])).as("reads per canary").isGreaterThan(0);
        String[] geometric = rows.get(2).trim().split("\\s+");
        assertThat(geometric[0]).isEqualTo("100");
        assertThat(geometric[geometric.length - 1]).as("the same size on the schedule before issue 18").isEqualTo("geometric");
        assertThat(rows.get(3).trim()).as("and with every timer a Vert.x timer, the engine before issue 18")
                .startsWith("100 ").endsWith("geometric, a Vert.x timer each");
        assertThat(printed).contains("measurement quality vs cost").contains("geometric 15ms x1.35 max 1s").contains("default: adaptive, 50ms")
                .contains("S3-like at a 1 s median uncertainty");
    }
}
