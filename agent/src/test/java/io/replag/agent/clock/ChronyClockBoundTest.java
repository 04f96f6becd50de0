package io.replag.agent.clock;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ChronyClockBoundTest {
    /** chronyc -c tracking on an EC2 instance synchronised to the Amazon Time Sync Service. */
    static final String TRACKING = "A9FEA97B,169.254.169.123,3,1764490000.123456789,-0.000012000,0.000001000,0.000004000,"
            + "-12.345,-0.001,0.020,0.000400000,0.000150000,64.2,Normal";

    @Test
    void theBoundIsOffsetPlusRootDispersionPlusHalfTheRootDelay() {
        ChronyClockBound.Tracking t = ChronyClockBound.parse(TRACKING).orElseThrow();
        assertThat(t.synchronised()).isTrue();
        assertThat(t.boundMicros()).isEqualTo(12 + 150 + 200);
    }

    @Test
    void anUnsynchronisedOrGarbledAnswerIsNoBound() {
        assertThat(ChronyClockBound.parse(TRACKING.replace("Normal", "Not synchronised")).orElseThrow().synchronised()).isFalse();
        assertThat(ChronyClockBound.parse("506 Cannot talk to daemon")).isEmpty();
        assertThat(ChronyClockBound.parse("")).isEmpty();
    }

    @Test
    void readsTheCommandGrowsWithTimeAndFallsBackWhenItCannot(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path fake = dir.resolve("chronyc");
        Files.writeString(fake, "#!/bin/sh\necho '" + TRACKING + "'\n");
        fake.toFile().setExecutable(true);
        AtomicLong nanos = new AtomicLong(0);
        ChronyClockBound bound = new ChronyClockBound(10_000, List.of(fake.toString()), nanos::get);
        assertThat(bound.errorBoundMicros()).as("before any reading: the configured bound").isEqualTo(10_000);
        bound.refresh();
        assertThat(bound.fromChrony()).isTrue();
        assertThat(bound.errorBoundMicros()).isEqualTo(362);
        nanos.set(100_000_000_000L); // 100 s later, no new reading: 15 ppm of drift allowed
        assertThat(bound.errorBoundMicros()).isEqualTo(362 + 1_500);

        ChronyClockBound missing = new ChronyClockBound(10_000, List.of(dir.resolve("no-such-chronyc").toString()), nanos::get);
        missing.refresh();
        assertThat(missing.fromChrony()).isFalse();
        assertThat(missing.errorBoundMicros()).isEqualTo(10_000);
    }
}
