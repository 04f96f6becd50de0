package io.replag.agent.time;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's timers on one loop timer: never early, in order, cancellable, any distance out, and the loop timer armed only when needed. */
class TimerWheelTest {
    /** Fine, so that the tests see deadlines to the microsecond; {@link #timersDueWithinOneTickShareAWakeup} tests the default. */
    static final long TICK = 100;
    long nowMicros = 1_700_000_000_000_000L;
    /** When the loop timer fires (µs), or -1 when disarmed. */
    long armedAtMicros = -1;
    int arms;
    final List<String> fired = new ArrayList<>();

    final TimerWheel wheel = new TimerWheel(new TimerWheel.Driver() {
        @Override
        public void arm(long delayMicros) {
            assertThat(armedAtMicros).as("one loop timer at a time").isEqualTo(-1);
            arms++;
            armedAtMicros = nowMicros + delayMicros;
        }

        @Override
        public void disarm() {
            assertThat(armedAtMicros).as("only an armed timer is disarmed").isNotEqualTo(-1);
            armedAtMicros = -1;
        }
    }, () -> nowMicros, TICK);

    /** Moves time on in 100 µs steps, firing the loop timer when it is due, as the loop would. */
    void advanceMicros(long micros) {
        long end = nowMicros + micros;
        while (nowMicros < end) {
            nowMicros = Math.min(end, nowMicros + 100);
            if (armedAtMicros >= 0 && nowMicros >= armedAtMicros) {
                armedAtMicros = -1;
                wheel.fire();
            }
        }
    }

    long at(String name, long delayMicros) {
        long setAt = nowMicros;
        return wheel.schedule(delayMicros, () -> {
            assertThat(nowMicros).as(name + " never fires early").isGreaterThanOrEqualTo(setAt + delayMicros);
            fired.add(name);
        });
    }

    @Test
    void timersFireInDeadlineOrderNeverEarlyAndNoSoonerThanAMillisecond() {
        at("c", 30_000);
        at("b", 2_900);
        at("a", 2_500);
        at("now", 0);
        advanceMicros(900);
        assertThat(fired).as("a timer for now waits a millisecond").isEmpty();
        advanceMicros(100);
        assertThat(fired).containsExactly("now");
        advanceMicros(1_600);
        assertThat(fired).as("to the microsecond, not rounded to a millisecond").containsExactly("now", "a");
        advanceMicros(400);
        assertThat(fired).containsExactly("now", "a", "b");
        advanceMicros(26_000);
        assertThat(fired).containsExactly("now", "a", "b");
        advanceMicros(1_000);
        assertThat(fired).containsExactly("now", "a", "b", "c");
        assertThat(wheel.pending()).isZero();
        assertThat(armedAtMicros).as("nothing pending: the loop timer is not armed").isEqualTo(-1);
    }

    @Test
    void aCancelledTimerNeverFiresAndItsIdCannotCancelTheEntryThatReusesIt() {
        long a = at("a", 5_000);
        at("b", 5_000);
        wheel.cancel(a);
        assertThat(wheel.pending()).isEqualTo(1);
        advanceMicros(6_000);
        assertThat(fired).containsExactly("b");
        at("c", 1_000); // may reuse a's entry
        wheel.cancel(a);
        wheel.cancel(a);
        advanceMicros(2_000);
        assertThat(fired).containsExactly("b", "c");
    }

    @Test
    void aTimerThatThrowsDoesNotLoseTheOthersDueWithIt() {
        at("before", 5_000);
        wheel.schedule(5_000, () -> {
            throw new IllegalStateException("a bug in one task");
        });
        at("after", 5_000);
        at("later", 9_000);
        advanceMicros(10_000);
        assertThat(fired).containsExactly("before", "after", "later");
        assertThat(wheel.pending()).isZero();
    }

    @Test
    void aTimerBeyondOneTurnOfTheWheelWaitsForItsOwnTurn() {
        at("far", 10_000_000); // 10 s: two and a half turns of 4096 slots
        at("near", 1_000);
        advanceMicros(9_999_900);
        assertThat(fired).containsExactly("near");
        advanceMicros(100);
        assertThat(fired).containsExactly("near", "far");
    }

    @Test
    void timersSetByATimerAndALoopTimerThatFiresLateCatchUpInOrder() {
        at("first", 2_000);
        wheel.schedule(3_000, () -> {
            fired.add("second");
            at("set by second", 0);
        });
        at("third", 50_000);
        at("fourth", 50_000);
        // the loop was busy for 20 s: everything due fires at once, in deadline order
        long late = armedAtMicros;
        armedAtMicros = -1;
        nowMicros = late + 20_000_000;
        wheel.fire();
        assertThat(fired).containsExactly("first", "second", "third", "fourth");
        advanceMicros(900);
        assertThat(fired).containsExactly("first", "second", "third", "fourth");
        advanceMicros(100);
        assertThat(fired).containsExactly("first", "second", "third", "fourth", "set by second");
    }

    @Test
    void anEarlierTimerRearmsTheLoopTimerAndALaterOneDoesNot() {
        at("late", 500_000);
        int armsAfterFirst = arms;
        at("later", 900_000);
        assertThat(arms).as("a later timer keeps the loop timer armed as it was").isEqualTo(armsAfterFirst);
        at("early", 10_000);
        assertThat(arms).isEqualTo(armsAfterFirst + 1);
        assertThat(armedAtMicros).isEqualTo(nowMicros + 10_000);
        advanceMicros(1_000_000);
        assertThat(fired).containsExactly("early", "late", "later");
    }

    @Test
    void manyTimersAcrossManyTurnsEachFireOnceInOrder() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        List<Long> deadlines = new ArrayList<>();
        List<Long> firedAt = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            long delay = random.nextLong(0, 12_000_000);
            long due = nowMicros + Math.max(TimerWheel.MIN_DELAY_MICROS, delay);
            deadlines.add(due);
            wheel.schedule(delay, () -> {
                assertThat(nowMicros).isGreaterThanOrEqualTo(due);
                assertThat(nowMicros).as("late by less than a tick and the test's time step").isLessThan(due + TICK + 100);
                firedAt.add(due);
            });
        }
        advanceMicros(12_100_000);
        assertThat(firedAt).hasSize(5_000);
        List<Long> byMillisecond = firedAt.stream().map(d -> d / 1_000).toList();
        assertThat(byMillisecond).isSorted();
    }

    @Test
    void timersDueWithinOneTickShareAWakeup() {
        List<Long> firedAt = new ArrayList<>();
        TimerWheel coarse = new TimerWheel(new TimerWheel.Driver() {
            @Override
            public void arm(long delayMicros) {
                arms++;
                armedAtMicros = nowMicros + delayMicros;
            }

            @Override
            public void disarm() {
                armedAtMicros = -1;
            }
        }, () -> nowMicros, TimerWheel.DEFAULT_TICK_MICROS);
        long tick = TimerWheel.DEFAULT_TICK_MICROS;
        long start = (nowMicros / tick + 10) * tick;
        nowMicros = start - 5_000;
        for (long offset : new long[]{100, 700, 1_300, 1_999, 2_001}) {
            coarse.schedule(5_000 + offset, () -> firedAt.add(nowMicros));
        }
        int armsBefore = arms;
        while (firedAt.size() < 5) {
            nowMicros += 10;
            if (armedAtMicros >= 0 && nowMicros >= armedAtMicros) {
                armedAtMicros = -1;
                coarse.fire();
            }
        }
        assertThat(firedAt).as("four due within one tick fire together at its end, the fifth at the next")
                .containsExactly(start + tick, start + tick, start + tick, start + tick, start + 2 * tick);
        assertThat(arms - armsBefore).isEqualTo(1);
    }
}
