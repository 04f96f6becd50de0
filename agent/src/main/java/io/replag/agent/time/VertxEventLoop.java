package io.replag.agent.time;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** An {@link EventLoop} on one Vert.x event-loop context. */
public final class VertxEventLoop implements EventLoop {
    private final Context context;

    public VertxEventLoop(Context context) {
        if (!context.isEventLoopContext()) {
            throw new IllegalArgumentException("the engine must run on an event-loop context");
        }
        this.context = context;
    }

    public static VertxEventLoop create(Vertx vertx) {
        return new VertxEventLoop(vertx.getOrCreateContext());
    }

    public Context context() {
        return context;
    }

    @Override
    public long schedule(long delayMicros, Runnable task) {
        long delayMs = Math.max(1, (delayMicros + 999) / 1000);
        return context.owner().setTimer(delayMs, id -> execute(task));
    }

    @Override
    public void cancel(long timerId) {
        context.owner().cancelTimer(timerId);
    }

    @Override
    public void execute(Runnable task) {
        if (Vertx.currentContext() == context) {
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
