package io.replag.tools.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ScheduleBoundTest {

    @Test
    void aPlanCountsTheReadsUpToTheOneThatSeesEachCanaryAndTheGapItWasSeenIn() {
        // reads at 0, 1, 2 spreads; past the last the fallback's gaps grow by 1.35: the next read at 3.35
        ScheduleBound.Plan plan = ScheduleBound.evaluate("test", new double[]{0, 1, 2}, new double[]{-0.5, 0.5, 1.5, 2.5});

        assertThat(plan.readsPerCanary()).as("1, 2, 3 and 4 reads").isEqualTo(2.5);
        assertThat(plan.sortedWidths()).as("the canary before the first read has no width of its own")
                .containsExactly(new double[]{1, 1, 1.35}, within(1e-9));
        assertThat(plan.within(1.0, 1.0, 10)).as("two of four within one spread").isEqualTo(0.5);
        assertThat(plan.within(2.7, 2.0, 10)).as("1.35 spreads of 2 s").isEqualTo(0.75);
        assertThat(plan.within(10, 2.0, 10)).as("the one before the first read is timed to the interval").isEqualTo(1.0);
    }

    @Test
    void onTheS3LikeModelNoPlanTheSameForEveryPairReachesFourReadsForASecond() {
        ScheduleBound bound = new ScheduleBound(100, 5_000, 18);

        var same = bound.sameForEveryPair(10);
        var own = bound.eachItsOwn(10);

        assertThat(same.outcome().medianS()).isLessThanOrEqualTo(ScheduleBound.TARGET_S);
        assertThat(same.outcome().readsPerCanary()).as("what docs/performance.md says of the S3 target").isGreaterThan(4);
        assertThat(own.outcome().readsPerCanary()).as("a plan per pair can only do better").isLessThanOrEqualTo(same.outcome().readsPerCanary());
        assertThat(bound.sameForEveryPair(4.5).outcome().p90S()).isLessThanOrEqualTo(4.5);
    }

    @Test
    void normalQuantilesInvertTheNormal() {
        assertThat(ScheduleBound.normalQuantile(0.5)).isCloseTo(0, within(1e-6));
        assertThat(ScheduleBound.normalQuantile(0.975)).isCloseTo(1.95996, within(1e-4));
        assertThat(ScheduleBound.normalQuantile(0.1)).isCloseTo(-1.28155, within(1e-4));
    }

    @Test
    void printsARowPerP90Cap() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ScheduleBound.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), 50, 2_000);
        String printed = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(printed);

        assertThat(printed).contains("S3-like at a 1 s median uncertainty");
        assertThat(printed.lines().filter(l -> l.matches("(any|\\d\\.\\d s)\\s+.*reads.*")).count()).isEqualTo(3);
    }
}
