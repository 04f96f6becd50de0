package io.replag.agent.cloudwatch;

import io.vertx.core.Future;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CloudWatch datapoints come per minute, so one GetMetricData call per key (a region) and
 * minute serves every pair that reads them: a fetch is reused for a minute, and again only after
 * it failed. Each fetch covers the last {@link #WINDOW}, so late minutes are picked up.
 *
 * @param <T> what one fetch returns
 */
public final class MinuteFetches<T> {
    public static final Duration REFRESH = Duration.ofMinutes(1);
    /** How far back each fetch reaches. */
    public static final Duration WINDOW = Duration.ofMinutes(10);

    private record Fetch<T>(Instant at, Future<T> result) {
    }

    private final Map<String, Fetch<T>> fetches = new ConcurrentHashMap<>();

    /** The key's current fetch, or a new one of the window ending now: {@code fetch} gets (from, to). */
    public Future<T> get(String key, java.util.function.BiFunction<Instant, Instant, Future<T>> fetch) {
        Instant now = Instant.now();
        Fetch<T> current = fetches.get(key);
        if (current == null || current.at.plus(REFRESH).isBefore(now) || current.result.failed()) {
            current = new Fetch<>(now, fetch.apply(now.minus(WINDOW), now));
            fetches.put(key, current);
        }
        return current.result;
    }

}
