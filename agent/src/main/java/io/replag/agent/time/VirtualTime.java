package io.replag.agent.time;

import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A wall clock and event loop on virtual time, for deterministic engine tests and the poll-schedule
 * comparison in {@code replag bench}: nothing happens
 * until the test advances time, and then timers fire in order, each at its own instant.
 */
public final class VirtualTime implements WallClock, EventLoop {
    private record Task(long dueMicros, long order, long id, Runnable run) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.dueMicros != b.dueMicros
            ? Long.compare(a.dueMicros, b.dueMicros) : Long.compare(a.order, b.order));
    private final java.util.Set<Long> cancelled = new java.util.HashSet<>();
    private long nowMicros;
    private long nextId = 1;

    public VirtualTime(long startMicros) {
        this.nowMicros = startMicros;
    }

    @Override
    public long monotonicMicros() {
        return nowMicros();
    }

    @Override
    public long nowMicros() {
        return nowMicros;
    }

    @Override
    public long schedule(long delayMicros, Runnable task) {
        long id = nextId++;
        tasks.add(new Task(nowMicros + Math.max(0, delayMicros), id, id, task));
        return id;
    }

    @Override
    public void cancel(long timerId) {
        cancelled.add(timerId);
    }

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    /** Runs every timer due within {@code d}, in order, then sets the clock to the end of it. */
    public void advance(Duration d) {
        long end = nowMicros + d.toNanos() / 1_000;
        while (!tasks.isEmpty() && tasks.peek().dueMicros <= end) {
            Task t = tasks.poll();
            if (cancelled.remove(t.id)) {
                continue;
            }
            nowMicros = Math.max(nowMicros, t.dueMicros);
            t.run.run();
        }
        nowMicros = end;
    }
}
