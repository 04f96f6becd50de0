package io.replag.agent.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The forecast's plans: lopsided around the expected arrival, a read before them, and what a surprise or a wide interval teaches. */
class ArrivalForecastTest {
    static final long PRECISION = 50_000;
    static final long FIRST = 15_000;

    /** A pair whose canaries take about 1 s, each 40 ms either side of the one before, read on the forecast's plans. */
    static ArrivalForecast steady() {
        ArrivalForecast forecast = new ArrivalForecast();
        forecast.arrived(1, 990_000, 1_010_000, null, true);
        long latency = 1_000_000;
        for (long seq = 2; seq <= 20; seq++) {
            ArrivalForecast.Plan plan = forecast.plan(0, PRECISION, FIRST);
            latency += seq % 2 == 0 ? 40_000 : -40_000;
            forecast.widened(5_000, 45_000);
            forecast.arrived(seq, latency - 20_000, latency + 20_000, plan, false);
        }
        return forecast;
    }

    @Test
    void theWindowStartsALittleBeforeTheExpectedArrivalAndRunsFarPastItAtThePrecision() {
        ArrivalForecast forecast = steady();
        long spread = forecast.spreadMicros();
        assertThat(spread).as("errors of 40 and 80 ms").isBetween(40_000L, 130_000L);
        ArrivalForecast.Plan plan = forecast.plan(0, PRECISION, FIRST);
        long expected = plan.expectedMicros();
        assertThat(expected - plan.startMicros()).as("before the expected arrival: a little, or half a gap (the newest latency's own interval)")
                .isCloseTo(Math.max((long) (ArrivalForecast.BEFORE * spread), plan.spacingMicros() / 2), within(1_000L));
        assertThat(plan.endMicros() - expected).as("past it: reads after an arrival are never made")
                .isGreaterThanOrEqualTo((long) (ArrivalForecast.AFTER * spread) - plan.spacingMicros());
        assertThat(plan.spacingMicros()).as("the precision less what an interval adds").isEqualTo(PRECISION - 5_000);
        assertThat(plan.startMicros() - plan.readsMicros()[0]).as("the read before the window: a spread or two gaps earlier")
                .isEqualTo(Math.max(spread, 2 * plan.spacingMicros()));
        assertThat(plan.readsMicros().length - 1).isLessThanOrEqualTo(ArrivalForecast.MAX_READS);
    }

    @Test
    void theGapLeavesRoomForWhatMostIntervalsAddNotJustTheMedian() {
        ArrivalForecast forecast = steady();
        for (int i = 0; i < 16; i++) {
            forecast.widened(i < 14 ? 4_000 : 12_000, 45_000); // two calls in sixteen were slow
        }
        assertThat(forecast.plan(0, PRECISION, FIRST).spacingMicros()).isEqualTo(PRECISION - 12_000);
    }

    @Test
    void theGapNeverNarrowsPastHalfThePrecisionAndAFarTargetIsReadAtThePrecisionsPace() {
        ArrivalForecast near = steady();
        for (int i = 0; i < 16; i++) {
            near.widened(35_000, 60_000); // the calls add 35 ms: a 15 ms gap would double the reads for 10 ms
        }
        assertThat(near.plan(0, PRECISION, FIRST).spacingMicros()).isEqualTo(PRECISION / 2);
        ArrivalForecast far = steady();
        for (int i = 0; i < 16; i++) {
            far.widened(300_000, 400_000); // two 150 ms round trips: no gap reaches 50 ms
        }
        assertThat(far.plan(0, PRECISION, FIRST).spacingMicros()).isEqualTo(PRECISION);
    }

    @Test
    void aStillLinkStillGetsAWindowAroundTheNewestLatencyWhichIsKnownOnlyToItsInterval() {
        ArrivalForecast forecast = new ArrivalForecast();
        forecast.arrived(1, 2_990_000, 3_040_000, null, true);
        for (long seq = 2; seq <= 5; seq++) {
            ArrivalForecast.Plan plan = forecast.plan(0, PRECISION, FIRST);
            forecast.arrived(seq, 2_990_000, 3_040_000, plan, false);
        }
        ArrivalForecast.Plan plan = forecast.plan(0, PRECISION, FIRST);
        assertThat(forecast.spreadMicros()).isZero();
        assertThat(plan.startMicros()).as("a 3.000 s arrival lands inside, not between the read before and the window")
                .isLessThan(3_000_000);
        assertThat(plan.endMicros()).isGreaterThan(3_000_000);
    }

    @Test
    void aCanarySeenByTheReadBeforeTheWindowWidensTheNextPlan() {
        ArrivalForecast forecast = steady();
        ArrivalForecast.Plan plan = forecast.plan(0, PRECISION, FIRST);
        long spread = forecast.spreadMicros();
        // the delay fell to 300 ms: the read before the window (about 0.8 s) saw it, the previous canary's last read did not
        forecast.arrived(21, 0, plan.readsMicros()[0], plan, false);
        ArrivalForecast.Plan next = forecast.plan(0, PRECISION, FIRST);
        assertThat(next.spreadMicros()).as("half the surprise's interval").isGreaterThanOrEqualTo(plan.readsMicros()[0] / 2);
        assertThat(next.spreadMicros()).isGreaterThan(spread);
        assertThat(next.readsMicros()[0]).as("the next plan reaches down into where the canary could have been")
                .isLessThan(plan.readsMicros()[0] / 2);
    }

    @Test
    void aWideIntervalTeachesWhereTheForecastPutsTheArrivalNotItsMidpoint() {
        // forecast 1 s give or take 100 ms; seen between 0.5 s and 0.9 s: most likely near 0.9 s
        long likeliest = ArrivalForecast.likeliest(1_000_000, 100_000, 500_000, 900_000);
        assertThat(likeliest).isBetween(820_000L, 900_000L);
        assertThat(ArrivalForecast.likeliest(1_000_000, 100_000, 900_000, 1_100_000)).as("symmetric: the midpoint")
                .isCloseTo(1_000_000L, within(1_000L));
        assertThat(ArrivalForecast.likeliest(1_000_000, 10_000, 0, 100_000)).as("so unlikely the forecast says nothing: the midpoint")
                .isEqualTo(50_000L);
        assertThat(ArrivalForecast.normalCdf(1.0)).isCloseTo(0.841345, within(1e-6));
        assertThat(ArrivalForecast.normalCdf(-2.0)).isCloseTo(0.022750, within(1e-6));
    }
}
