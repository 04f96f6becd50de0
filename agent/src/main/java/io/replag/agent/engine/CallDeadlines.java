package io.replag.agent.engine;

import io.replag.agent.time.EventLoop;

import java.util.ArrayDeque;

/**
 * The request timeouts of one set's store calls, on one timer. Every call of a set has the same
 * timeout, so deadlines come due in the order the calls were made: a queue, whose head is the next
 * to come due, replaces a timer per call (which was the engine loop's largest item in the profile:
 * Netty's timer queue, an insertion and a removal per call). A call that answers is marked done and
 * leaves the queue once it reaches the head; calls answer in about the order they were made, so the
 * queue holds about the calls in flight. Event-loop only.
 */
final class CallDeadlines {
    /** One call's deadline; {@link #done} once it answered or timed out. */
    static final class Deadline {
        private final long atMicros;
        private final Runnable onTimeout;
        private boolean done;

        private Deadline(long atMicros, Runnable onTimeout) {
            this.atMicros = atMicros;
            this.onTimeout = onTimeout;
        }
    }

    private final EventLoop loop;
    private final ArrayDeque<Deadline> queue = new ArrayDeque<>();
    private boolean armed;

    CallDeadlines(EventLoop loop) {
        this.loop = loop;
    }

    /**
     * Runs {@code onTimeout} at {@code atMicros} on the loop's monotonic time unless {@link #done}
     * comes first; deadlines must not decrease.
     */
    Deadline add(long atMicros, Runnable onTimeout) {
        Deadline d = new Deadline(atMicros, onTimeout);
        queue.addLast(d);
        if (!armed) {
            arm(loop.monotonicMicros());
        }
        return d;
    }

    /** The call answered: its timeout will not run. */
    void done(Deadline d) {
        d.done = true;
        while (!queue.isEmpty() && queue.peekFirst().done) {
            queue.pollFirst();
        }
    }

    /** Calls whose deadline has not yet come or gone, answered or not: about the calls in flight. */
    int size() {
        return queue.size();
    }

    private void arm(long nowMicros) {
        while (!queue.isEmpty() && queue.peekFirst().done) {
            queue.pollFirst();
        }
        armed = !queue.isEmpty();
        if (armed) {
            loop.schedule(Math.max(0, queue.peekFirst().atMicros - nowMicros), this::fire);
        }
    }

    private void fire() {
        long now = loop.monotonicMicros();
        while (!queue.isEmpty() && queue.peekFirst().atMicros <= now) {
            Deadline d = queue.pollFirst();
            if (!d.done) {
                d.done = true;
                d.onTimeout.run();
            }
        }
        arm(now);
    }
}
