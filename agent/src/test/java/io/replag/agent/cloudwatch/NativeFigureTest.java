package io.replag.agent.cloudwatch;

import io.replag.agent.cloudwatch.Datapoint;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

class NativeFigureTest {
    static final Instant NOW = Instant.parse("2026-11-28T10:15:30Z");
    static final Duration MAX_AGE = Duration.ofMinutes(5);

    static Datapoint at(String hhmm, double ms) {
        return new Datapoint(Instant.parse("2026-11-28T" + hhmm + ":00Z"), ms);
    }

    @Test
    void newestCompleteMinuteWinsWhateverTheOrder() {
        assertThat(NativeFigure.current(List.of(at("10:13", 900), at("10:14", 1200), at("10:12", 300)), NOW, MAX_AGE))
                .isEqualTo(OptionalDouble.of(1200));
    }

    @Test
    void theMinuteStillFillingIsNotCurrent() {
        // 10:15 ends at 10:16, after now: its average is partial
        assertThat(NativeFigure.current(List.of(at("10:14", 800), at("10:15", 50)), NOW, MAX_AGE)).isEqualTo(OptionalDouble.of(800));
    }

    @Test
    void gapsAreSkippedButAnOldDatapointIsNoCurrentFigure() {
        assertThat(NativeFigure.current(List.of(at("10:10", 700)), NOW, MAX_AGE)).as("gap of 4 minutes: still within max age")
                .isEqualTo(OptionalDouble.of(700));
        assertThat(NativeFigure.current(List.of(at("10:05", 700)), NOW, MAX_AGE)).as("10 minutes old").isEmpty();
        assertThat(NativeFigure.current(List.of(), NOW, MAX_AGE)).isEmpty();
    }

    @Test
    void aLateDatapointCountsOnceItArrives() {
        List<Datapoint> before = List.of(at("10:12", 400));
        List<Datapoint> after = List.of(at("10:12", 400), at("10:14", 2500)); // 10:14 published late
        assertThat(NativeFigure.current(before, NOW, MAX_AGE)).isEqualTo(OptionalDouble.of(400));
        assertThat(NativeFigure.current(after, NOW, MAX_AGE)).isEqualTo(OptionalDouble.of(2500));
    }
}
