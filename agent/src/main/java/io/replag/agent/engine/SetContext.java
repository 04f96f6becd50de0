package io.replag.agent.engine;

import io.replag.agent.spi.StoreOperation;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.metrics.EndpointHealth;
import io.replag.agent.metrics.ReplagMetrics;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.time.EventLoop;
import io.replag.agent.time.WallClock;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What the writers and pollers of one replication set share: the store, the loop, the clock,
 * and {@link #call}, through which every store call passes so that each one has a timeout, comes
 * back on the loop, and updates the endpoint's health.
 */
final class SetContext {
    final ReplicationSet set;
    final CanaryStore store;
    final EventLoop loop;
    final WallClock clock;
    final ReplagMetrics metrics;
    final String agent;
    final ArrivalListener arrivals;
    /** Where this agent runs in per-region mode (it writes only there and reads only there); null in single-process mode. */
    final String localRegion;
    /** This agent's clock error bound, stamped on its canaries and added to what it reads. */
    final io.replag.agent.clock.ClockBound clockBound;
    private final Map<String, EndpointHealth> health = new ConcurrentHashMap<>();
    private final Map<String, RoundTrip> roundTrips = new java.util.HashMap<>();
    private final CallDeadlines deadlines;
    private final long timeoutMicros;
    volatile boolean stopped;

    SetContext(ReplicationSet set, CanaryStore store, EventLoop loop, WallClock clock, ReplagMetrics metrics, String agent,
               ArrivalListener arrivals, String localRegion, io.replag.agent.clock.ClockBound clockBound) {
        this.localRegion = localRegion;
        this.clockBound = clockBound;
        this.arrivals = arrivals;
        this.set = set;
        this.store = store;
        this.loop = loop;
        this.clock = clock;
        this.deadlines = new CallDeadlines(loop);
        this.timeoutMicros = set.timing().requestTimeout().toNanos() / 1_000;
        this.metrics = metrics;
        this.agent = agent;
    }

    /** The region's endpoint health if this agent calls that endpoint; null otherwise (no series for it). */
    EndpointHealth existingHealth(String region) {
        return health.get(region);
    }

    EndpointHealth health(String region) {
        return health.computeIfAbsent(region, r -> metrics.endpoint(set.store(), set.name(), r));
    }

    /**
     * Runs one store call with the set's request timeout. The returned future completes on the
     * loop; the endpoint's health and error counters are updated before it does.
     */
    <T> Future<T> call(StoreOperation op, String region, Supplier<Future<T>> call) {
        return call(op, region, health(region), clock.nowMicros(), call);
    }

    /**
     * As {@link #call(StoreOperation, String, Supplier)}, for a caller that holds the endpoint's
     * health and has just read the clock (a pair's reads: the engine's most frequent call).
     */
    <T> Future<T> call(StoreOperation op, String region, EndpointHealth endpoint, long startMicros, Supplier<Future<T>> call) {
        Promise<T> result = Promise.promise();
        CallDeadlines.Deadline deadline = deadlines.add(loop.monotonicMicros() + timeoutMicros, () -> settle(result, op, region, endpoint,
                startMicros, Future.failedFuture(new CallTimeoutException(op.label() + " in " + region + " took longer than "
                        + set.timing().requestTimeout()))));
        Future<T> pending;
        try {
            pending = call.get();
        } catch (RuntimeException e) {
            pending = Future.failedFuture(e);
        }
        pending.onComplete(ar -> loop.execute(() -> {
            deadlines.done(deadline);
            settle(result, op, region, endpoint, startMicros, ar);
        }));
        return result.future();
    }

    /** The call answered, failed or timed out, whichever came first: the endpoint's health, then the caller. */
    private <T> void settle(Promise<T> result, StoreOperation op, String region, EndpointHealth endpoint, long startMicros,
                            AsyncResult<T> ar) {
        if (result.future().isComplete()) {
            return; // an answer after the timeout changes nothing
        }
        long took = clock.nowMicros() - startMicros;
        endpoint.took(op, took);
        if (ar.succeeded()) {
            if (op.timesRoundTrip()) {
                roundTrips.computeIfAbsent(region, r -> new RoundTrip()).record(took);
            }
            endpoint.succeeded(op);
            result.complete(ar.result());
        } else {
            endpoint.failed(op, FailureReason.of(ar.cause(), store).label(), FailureReason.detail(ar.cause()));
            result.fail(ar.cause());
        }
    }

    /** Half the round trip to the region's endpoint, from its fastest recent canary calls; 0 before any. Event-loop only. */
    long oneWayMicros(String region) {
        RoundTrip rt = roundTrips.get(region);
        return rt == null ? 0 : rt.oneWayMicros();
    }

    boolean perRegion() {
        return localRegion != null;
    }

    /** This agent's id as stamped on its canaries: {@code name@region}, or the name alone. */
    String writerId() {
        return localRegion == null ? agent : agent + "@" + localRegion;
    }

    long nowMicros() {
        return clock.nowMicros();
    }
}
