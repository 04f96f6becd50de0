package io.replag.exporter.http;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RequestErrorsTest {
    long now = 1_000_000_000L;

    @Test
    void aFloodOfOneCauseIsOneLineAMinuteWithTheCountOfTheOthers() {
        List<String> lines = new ArrayList<>();
        RequestErrors errors = new RequestErrors(lines::add, () -> now);
        for (int i = 0; i < 500; i++) {
            errors.report("400 IllegalArgumentException", "GET /x%zz");
            now += 10_000_000L; // 10 ms apart: 5 s in all
        }
        assertThat(lines).hasSize(1).first().asString().contains("400 IllegalArgumentException").contains("GET /x%zz");
        now += RequestErrors.PERIOD_NANOS;
        errors.report("400 IllegalArgumentException", "GET /x%zz");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).contains("and 499 more like it");
        errors.report("413 -", "POST /lab/links");
        assertThat(lines).as("another cause has its own line").hasSize(3);
    }

    @Test
    void theRequestLineIsCutAndCannotForgeLogLines() {
        assertThat(RequestErrors.printable("/a\r\nFAKE ERROR line")).isEqualTo("/a??FAKE ERROR line");
        assertThat(RequestErrors.printable("/" + "x".repeat(500))).hasSize(123).endsWith("...");
    }
}
