package io.replag.agent.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LagTrackerTest {

    @Test
    void arrivalLatencyIsFromWriteToEndOfFirstHitAndUncertaintyFromLastMiss() {
        LagTracker t = new LagTracker();
        t.written(1, 1_000_000, 61_000_000);
        assertThat(t.read(0, 1_010_000, 1_012_000)).isEmpty();           // miss started at +10 ms
        List<Arrival> hit = t.read(1, 1_040_000, 1_045_000);             // hit ended at +45 ms
        assertThat(hit).containsExactly(new Arrival(1, 45_000, 35_000, 1_045_000));
    }

    @Test
    void aLaterSeqProvesEarlierCanariesArrived() {
        LagTracker t = new LagTracker();
        t.written(1, 0, 60_000_000);
        t.written(2, 1_000_000, 61_000_000);
        List<Arrival> hit = t.read(2, 1_100_000, 1_200_000);
        assertThat(hit).extracting(Arrival::seq).containsExactly(1L, 2L);
        assertThat(t.lagNowMicros(5_000_000)).as("last arrival's latency, not the oldest").isEqualTo(200_000);
    }

    @Test
    void lagNowRisesWhileACanaryIsUnseenAndNotWhileNothingIsWritten() {
        LagTracker t = new LagTracker();
        assertThat(t.lagNowMicros(0)).isEqualTo(-1);
        t.written(1, 0, 60_000_000);
        t.read(1, 40_000, 50_000);
        assertThat(t.lagNowMicros(10_000_000)).as("idle: stays at last latency").isEqualTo(50_000);
        assertThat(t.lagNowMicros(100_000_000)).isEqualTo(50_000);
        t.written(2, 100_000_000, 160_000_000);
        assertThat(t.lagNowMicros(100_010_000)).as("young canary: last latency dominates").isEqualTo(50_000);
        assertThat(t.lagNowMicros(103_000_000)).as("stall: age of oldest unseen").isEqualTo(3_000_000);
    }

    @Test
    void deadlineMovesCanariesToMissedButTheyStillHoldLagUntilSeen() {
        LagTracker t = new LagTracker();
        t.written(1, 0, 10_000_000);
        t.written(2, 1_000_000, 11_000_000);
        assertThat(t.expire(10_500_000)).isEqualTo(1);
        assertThat(t.expire(10_600_000)).as("counted once").isZero();
        assertThat(t.inFlightCount()).isEqualTo(1);
        assertThat(t.lagNowMicros(20_000_000)).isEqualTo(20_000_000);
        List<Arrival> late = t.read(2, 20_000_000, 20_001_000);
        assertThat(late).extracting(Arrival::seq).as("missed canary is not an arrival").containsExactly(2L);
        assertThat(t.hasUnseen()).isFalse();
    }

    @Test
    void writeAcknowledgedAfterTheTargetAlreadyShowedItIsNotPending() {
        LagTracker t = new LagTracker();
        t.read(5, 0, 1_000);
        t.written(5, 0, 60_000_000);
        assertThat(t.hasUnseen()).isFalse();
    }

    @Test
    void uncertaintyNeverStartsBeforeTheWrite() {
        LagTracker t = new LagTracker();
        t.read(0, 0, 1_000);              // a miss before the write
        t.written(1, 5_000, 65_000_000);
        List<Arrival> hit = t.read(1, 6_000, 9_000);
        assertThat(hit.get(0).uncertaintyMicros()).isEqualTo(4_000);
    }
}
