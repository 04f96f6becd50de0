package io.replag.agent.engine;

import io.replag.agent.time.VirtualTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One timer for a set's call timeouts: each call that does not answer times out at its own deadline, and no other. */
class CallDeadlinesTest {
    final VirtualTime time = new VirtualTime(1_700_000_000_000_000L);
    final CallDeadlines deadlines = new CallDeadlines(time);
    final List<String> timedOut = new ArrayList<>();

    CallDeadlines.Deadline call(String name) {
        return deadlines.add(time.monotonicMicros() + 5_000_000, () -> timedOut.add(name + "@" + (time.monotonicMicros() - 1_700_000_000_000_000L) / 1000));
    }

    @Test
    void aCallThatAnswersNeverTimesOutAndOneThatDoesNotTimesOutAtItsOwnDeadline() {
        CallDeadlines.Deadline a = call("a");
        time.advance(Duration.ofMillis(100));
        CallDeadlines.Deadline b = call("b");
        time.advance(Duration.ofMillis(100));
        call("c");
        deadlines.done(b);
        time.advance(Duration.ofMillis(4_700));
        assertThat(timedOut).isEmpty();
        time.advance(Duration.ofMillis(100));
        assertThat(timedOut).containsExactly("a@5000");
        time.advance(Duration.ofMillis(200));
        assertThat(timedOut).as("b answered").containsExactly("a@5000", "c@5200");
        deadlines.done(a); // a late answer after its timeout changes nothing
        assertThat(deadlines.size()).isZero();
    }

    @Test
    void answeredCallsLeaveAtOnceWhenTheyAreOldestSoTheQueueHoldsAboutTheCallsInFlight() {
        for (int i = 0; i < 1_000; i++) {
            CallDeadlines.Deadline d = call("x" + i);
            time.advance(Duration.ofMillis(3));
            deadlines.done(d);
        }
        assertThat(deadlines.size()).isZero();
        CallDeadlines.Deadline slow = call("slow");
        CallDeadlines.Deadline fast = call("fast");
        deadlines.done(fast);
        assertThat(deadlines.size()).as("fast waits behind slow").isEqualTo(2);
        deadlines.done(slow);
        assertThat(deadlines.size()).isZero();
        time.advance(Duration.ofSeconds(10));
        assertThat(timedOut).isEmpty();
    }

    @Test
    void afterTheQueueEmptiesANewCallStillTimesOut() {
        deadlines.done(call("first"));
        time.advance(Duration.ofSeconds(6)); // the timer armed for "first" fires and finds nothing
        call("second");
        time.advance(Duration.ofSeconds(5));
        assertThat(timedOut).containsExactly("second@11000");
    }
}
