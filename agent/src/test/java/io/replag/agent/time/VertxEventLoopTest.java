package io.replag.agent.time;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The wheel on a real Vert.x loop: timers set on the loop and off it fire on the loop, never early, and cancelled ones never. */
@ExtendWith(VertxExtension.class)
class VertxEventLoopTest {
    @Test
    void timersOnTheLoopFireOnItNeverEarlyAndCancelledOnesNever(Vertx vertx, VertxTestContext test) throws Exception {
        VertxEventLoop loop = VertxEventLoop.create(vertx);
        int timers = 500;
        var fired = test.checkpoint(timers);
        AtomicBoolean cancelledFired = new AtomicBoolean();
        loop.execute(() -> {
            SplittableRandom random = new SplittableRandom(1);
            for (int i = 0; i < timers; i++) {
                long delay = random.nextLong(0, 50_000);
                long setAt = loop.monotonicMicros();
                loop.schedule(delay, () -> test.verify(() -> {
                    assertThat(vertx.getOrCreateContext()).as("fires on the loop's context").isSameAs(loop.context());
                    assertThat(loop.monotonicMicros() - setAt).as("never early").isGreaterThanOrEqualTo(delay);
                    fired.flag();
                }));
                long cancelled = loop.schedule(delay, () -> cancelledFired.set(true));
                loop.cancel(cancelled);
            }
        });
        assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
        if (test.failed()) {
            throw new AssertionError(test.causeOfFailure());
        }
        // past every cancelled timer's deadline
        var later = new java.util.concurrent.CompletableFuture<Void>();
        loop.execute(() -> loop.schedule(60_000, () -> later.complete(null)));
        later.get(5, TimeUnit.SECONDS);
        assertThat(cancelledFired).as("a cancelled timer fired").isFalse();
        assertThat(onLoop(loop, loop::pendingOnLoop)).isZero();
    }

    @Test
    void aTimerSetOffTheLoopRunsOnTheLoopAndCanBeCancelled(Vertx vertx, VertxTestContext test) throws Exception {
        VertxEventLoop loop = VertxEventLoop.create(vertx);
        AtomicBoolean cancelledFired = new AtomicBoolean();
        long cancelled = loop.schedule(5_000, () -> cancelledFired.set(true));
        loop.cancel(cancelled);
        loop.schedule(20_000, () -> test.verify(() -> {
            assertThat(vertx.getOrCreateContext()).isSameAs(loop.context());
            test.completeNow();
        }));
        assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
        if (test.failed()) {
            throw new AssertionError(test.causeOfFailure());
        }
        assertThat(cancelledFired).isFalse();
    }

    private static <T> T onLoop(VertxEventLoop loop, java.util.function.Supplier<T> read) throws Exception {
        var result = new java.util.concurrent.CompletableFuture<T>();
        loop.execute(() -> result.complete(read.get()));
        return result.get(5, TimeUnit.SECONDS);
    }
}
