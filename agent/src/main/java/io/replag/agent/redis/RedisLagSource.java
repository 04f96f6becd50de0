package io.replag.agent.redis;

import io.replag.agent.cloudwatch.Datapoint;
import io.vertx.core.Future;

import java.time.Instant;
import java.util.List;

/** Where the Redis services' CloudWatch figures come from: CloudWatch itself, or the lab. */
public interface RedisLagSource {

    /** The figure's datapoints between {@code from} and {@code to}, in the metric's own unit, one per minute. */
    Future<List<Datapoint>> fetch(CloudWatchFigure figure, Instant from, Instant to);

    default void close() {
    }
}
