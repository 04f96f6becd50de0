package io.replag.agent.engine;

import io.replag.agent.spi.ServerTime;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LagTrackerTest {
    static final ServerTime NONE = ServerTime.UNKNOWN;

    /** Sends and acknowledges a canary with no server time. */
    static void written(LagTracker t, long seq, long sentMicros, long ackMicros, long deadlineMicros) {
        t.sent(seq, sentMicros);
        t.acked(seq, ackMicros, NONE, deadlineMicros);
    }

    @Test
    void clientIntervalRunsFromTheLastMissLessTheWriteRoundTripToTheHitsAnswer() {
        LagTracker t = new LagTracker();
        written(t, 1, 1_000_000, 1_002_000, 61_000_000);                 // write took 2 ms
        assertThat(t.read(0, 1_010_000, 1_012_000)).isEmpty();           // miss sent at +10 ms
        List<Arrival> hit = t.read(1, 1_040_000, 1_045_000);             // hit answered at +45 ms
        // the commit lies in [send, ack]: the true latency is in [10 - 2, 45] ms
        assertThat(hit).containsExactly(new Arrival(1, 1_000_000, 8_000, 45_000, 1_045_000, Arrival.Method.CLIENT_CLOCK));
        assertThat(hit.get(0).latencyMicros()).as("the middle of the interval").isEqualTo(26_500);
        assertThat(hit.get(0).uncertaintyMicros()).isEqualTo(37_000);
    }

    @Test
    void serverIntervalRestsOnTheServersClocksWhateverTheDistance() {
        for (long oneWay : new long[] {0, 150_000}) {
            LagTracker t = new LagTracker();
            long commit = 10_000_000;
            // the write is sent one way before the commit and acknowledged one way after it
            t.sent(1, commit - oneWay - 100);
            t.acked(1, commit + oneWay + 100, new ServerTime(commit - 50, commit + 50), 70_000_000);
            // reads reach the replica one way after being sent: a miss at commit + 200 ms, a hit at commit + 260 ms
            t.read(0, commit + 200_000 - oneWay, commit + 200_000 + oneWay, new ServerTime(commit + 200_000, commit + 200_010));
            List<Arrival> hit = t.read(1, commit + 260_000 - oneWay, commit + 260_000 + oneWay,
                    new ServerTime(commit + 260_000, commit + 260_010));
            assertThat(hit).hasSize(1);
            Arrival a = hit.get(0);
            assertThat(a.method()).isEqualTo(Arrival.Method.SERVER_CLOCK);
            assertThat(a.lowerMicros()).as("at %d µs one way", oneWay).isEqualTo(200_000 - 50);
            assertThat(a.upperMicros()).as("at %d µs one way", oneWay).isEqualTo(260_010 + 50);
        }
    }

    @Test
    void aReadWithoutServerTimeMakesTheIntervalFallBackToReplagsClock() {
        LagTracker t = new LagTracker();
        t.sent(1, 0);
        t.acked(1, 1_000, new ServerTime(400, 600), 60_000_000);
        t.read(0, 10_000, 11_000, NONE);
        Arrival a = t.read(1, 20_000, 21_000, new ServerTime(20_400, 20_600)).get(0);
        assertThat(a.method()).isEqualTo(Arrival.Method.CLIENT_CLOCK);
        assertThat(a.lowerMicros()).isEqualTo(9_000);
        assertThat(a.upperMicros()).isEqualTo(21_000);
    }

    @Test
    void readsMayAnswerOutOfOrderAndBeforeTheWriteIsAcknowledged() {
        LagTracker t = new LagTracker();
        t.sent(1, 0);
        // a far source: reads sent at +15 and +35 ms, before the acknowledgement at +300 ms
        List<Arrival> early = t.read(1, 35_000, 335_000);
        assertThat(early).as("seen, but not yet written: no arrival before the acknowledgement").isEmpty();
        assertThat(t.hasUnseen()).isFalse();
        t.read(0, 15_000, 340_000); // the older read answers last: a miss of a canary already seen changes nothing
        List<Arrival> acked = t.acked(1, 300_000, NONE, 60_000_000);
        assertThat(acked).hasSize(1);
        assertThat(acked.get(0).upperMicros()).isEqualTo(335_000);
        assertThat(acked.get(0).lowerMicros()).isZero();
    }

    @Test
    void aFailedWriteIsForgotten() {
        LagTracker t = new LagTracker();
        t.sent(1, 0);
        assertThat(t.hasUnseen()).as("poll while the write is in flight").isTrue();
        t.failed(1);
        assertThat(t.hasUnseen()).isFalse();
        assertThat(t.lagNowMicros(10_000_000)).as("nothing was written").isEqualTo(-1);
    }

    @Test
    void aLaterSeqProvesEarlierCanariesArrived() {
        LagTracker t = new LagTracker();
        written(t, 1, 0, 0, 60_000_000);
        written(t, 2, 1_000_000, 1_000_000, 61_000_000);
        List<Arrival> hit = t.read(2, 1_100_000, 1_200_000);
        assertThat(hit).extracting(Arrival::seq).containsExactly(1L, 2L);
        assertThat(t.lagNowMicros(5_000_000)).as("last arrival's latency, not the oldest").isEqualTo(100_000);
    }

    @Test
    void lagNowRisesWhileACanaryIsUnseenAndNotWhileNothingIsWritten() {
        LagTracker t = new LagTracker();
        assertThat(t.lagNowMicros(0)).isEqualTo(-1);
        written(t, 1, 0, 0, 60_000_000);
        t.read(1, 40_000, 50_000);
        assertThat(t.lagNowMicros(10_000_000)).as("idle: stays at last latency").isEqualTo(25_000);
        assertThat(t.lagNowMicros(100_000_000)).isEqualTo(25_000);
        t.sent(2, 100_000_000);
        assertThat(t.lagNowMicros(103_000_000)).as("a write not yet acknowledged is not lag").isEqualTo(25_000);
        t.acked(2, 100_000_000, NONE, 160_000_000);
        assertThat(t.lagNowMicros(100_010_000)).as("young canary: last latency dominates").isEqualTo(25_000);
        assertThat(t.lagNowMicros(103_000_000)).as("stall: age of oldest unseen").isEqualTo(3_000_000);
    }

    @Test
    void deadlineMovesCanariesToMissedButTheyStillHoldLagUntilSeen() {
        LagTracker t = new LagTracker();
        written(t, 1, 0, 0, 10_000_000);
        written(t, 2, 1_000_000, 1_000_000, 11_000_000);
        assertThat(t.expire(10_500_000)).isEqualTo(1);
        assertThat(t.expire(10_600_000)).as("counted once").isZero();
        assertThat(t.inFlightCount()).isEqualTo(1);
        assertThat(t.lagNowMicros(20_000_000)).isEqualTo(20_000_000);
        List<Arrival> late = t.read(2, 20_000_000, 20_001_000);
        assertThat(late).extracting(Arrival::seq).as("missed canary is not an arrival").containsExactly(2L);
        assertThat(t.hasUnseen()).isFalse();
    }

    @Test
    void intervalNeverStartsBeforeTheCommit() {
        LagTracker t = new LagTracker();
        t.read(0, 0, 1_000);              // a miss before the write
        written(t, 1, 5_000, 5_500, 65_000_000);
        List<Arrival> hit = t.read(1, 6_000, 9_000);
        assertThat(hit.get(0).lowerMicros()).as("no read missed it: it may have arrived at once").isZero();
        assertThat(hit.get(0).upperMicros()).isEqualTo(4_000);
    }
}
