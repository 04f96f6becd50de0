package io.replag.agent.time;

/**
 * Where engine code runs: one-shot timers and hand-off of completions, all on one thread, so
 * engine state needs no locks. Backed by a Vert.x context in production and by virtual time in
 * tests.
 */
public interface EventLoop {
    /** Runs {@code task} once after {@code delayMicros} (0 or less: soon). Returns an id for {@link #cancel}. */
    long schedule(long delayMicros, Runnable task);

    void cancel(long timerId);

    /** Runs {@code task} on the loop: at once if already on it, else soon. */
    void execute(Runnable task);

    /** The loop's own time in µs, for deadlines: never steps as a wall clock may (an arbitrary origin). */
    long monotonicMicros();
}
