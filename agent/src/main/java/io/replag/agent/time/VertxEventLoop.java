package io.replag.agent.time;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * An {@link EventLoop} on one Vert.x event-loop context. Timers set on the loop (all of the
 * engine's) are entries in a {@link TimerWheel} that one Vert.x timer drives; a timer set from
 * another thread is a Vert.x timer of its own.
 */
public final class VertxEventLoop implements EventLoop {
    /** Marks the id of a timer set off the loop: a Vert.x timer's id, not a wheel entry's. */
    private static final long OFF_LOOP = 1L << 62;

    private final Context context;
    private final TimerWheel wheel;
    /** Every timer a Vert.x timer of its own, as before the wheel: for {@code replag bench}'s comparison only. */
    private final boolean loopTimers;

    public VertxEventLoop(Context context) {
        this(context, false);
    }

    private VertxEventLoop(Context context, boolean loopTimers) {
        this.loopTimers = loopTimers;
        if (!context.isEventLoopContext()) {
            throw new IllegalArgumentException("the engine must run on an event-loop context");
        }
        this.context = context;
        this.wheel = new TimerWheel(new TimerWheel.Driver() {
            private io.vertx.core.Timer armed;

            @Override
            public void arm(long delayMicros) {
                // to the microsecond: the wheel chooses the tick, not Vert.x's whole milliseconds
                armed = context.owner().timer(Math.max(1, delayMicros), java.util.concurrent.TimeUnit.MICROSECONDS);
                armed.onSuccess(v -> wheel.fire());
            }

            @Override
            public void disarm() {
                armed.cancel();
            }
        }, this::monotonicMicros, TimerWheel.DEFAULT_TICK_MICROS);
    }

    public static VertxEventLoop create(Vertx vertx) {
        return new VertxEventLoop(vertx.getOrCreateContext());
    }

    /** A loop whose every timer is a Vert.x timer (the engine before its wheel), so that a benchmark can print both in one run. */
    public static VertxEventLoop withLoopTimers(Vertx vertx) {
        return new VertxEventLoop(vertx.getOrCreateContext(), true);
    }

    public Context context() {
        return context;
    }

    @Override
    public long schedule(long delayMicros, Runnable task) {
        if (onLoop() && !loopTimers) {
            return wheel.schedule(delayMicros, task);
        }
        long delayMs = Math.max(1, (delayMicros + 999) / 1000);
        return OFF_LOOP | context.owner().setTimer(delayMs, id -> execute(task));
    }

    @Override
    public void cancel(long timerId) {
        if ((timerId & OFF_LOOP) != 0) {
            context.owner().cancelTimer(timerId & ~OFF_LOOP);
        } else {
            execute(() -> wheel.cancel(timerId));
        }
    }

    /** Timers set on the loop and not yet fired or cancelled (for tests). */
    int pendingOnLoop() {
        return wheel.pending();
    }

    private boolean onLoop() {
        return Vertx.currentContext() == context;
    }

    @Override
    public void execute(Runnable task) {
        if (onLoop()) {
            task.run();
        } else {
            context.runOnContext(v -> task.run());
        }
    }

    @Override
    public long monotonicMicros() {
        return System.nanoTime() / 1_000;
    }
}
