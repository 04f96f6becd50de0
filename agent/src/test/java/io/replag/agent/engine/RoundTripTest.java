package io.replag.agent.engine;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class RoundTripTest {

    @Test
    void oneWayIsHalfTheFastestOfTheLastFewCalls() {
        RoundTrip rt = new RoundTrip();
        assertThat(rt.oneWayMicros()).isZero();
        rt.record(300_000);
        assertThat(rt.oneWayMicros()).isEqualTo(150_000);
        rt.record(200_000);
        assertThat(rt.oneWayMicros()).isEqualTo(100_000);
        for (int i = 0; i < RoundTrip.WINDOW; i++) {
            rt.record(400_000);
        }
        assertThat(rt.oneWayMicros()).as("the 200 ms call left the window").isEqualTo(200_000);
    }

    @Test
    void agreesWithAPlainMinimumOverAnySequence() {
        SplittableRandom random = new SplittableRandom(7);
        RoundTrip rt = new RoundTrip();
        long[] all = new long[2_000];
        for (int i = 0; i < all.length; i++) {
            all[i] = random.nextLong(1, 1_000);
            rt.record(all[i]);
            long min = Long.MAX_VALUE;
            for (int j = Math.max(0, i - RoundTrip.WINDOW + 1); j <= i; j++) {
                min = Math.min(min, all[j]);
            }
            assertThat(rt.oneWayMicros()).as("after %d calls", i + 1).isEqualTo(min / 2);
        }
    }
}
