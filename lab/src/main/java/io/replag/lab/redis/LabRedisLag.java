package io.replag.lab.redis;

import io.replag.agent.cloudwatch.Datapoint;
import io.replag.agent.redis.CloudWatchFigure;
import io.replag.agent.redis.RedisLagSource;
import io.replag.lab.LinkState;
import io.vertx.core.Future;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * GlobalDatastoreReplicationLag as the lab would publish it: one datapoint a minute, the link's
 * delay plus its distance (in the metric's unit), the current minute not yet published, nothing
 * while the link is paused or the replica is stopped (no stream applied, no datapoint). Lets the
 * demo show a native figure beside the canary.
 */
public final class LabRedisLag implements RedisLagSource {
    private final RedisLab lab;

    public LabRedisLag(RedisLab lab) {
        this.lab = lab;
    }

    @Override
    public Future<List<Datapoint>> fetch(CloudWatchFigure figure, Instant from, Instant to) {
        Optional<LinkState> link = lab.link(figure.source(), figure.target());
        List<Datapoint> points = new ArrayList<>();
        if (link.isPresent() && !link.get().paused() && lab.running(figure.target())) {
            double seconds = Math.max(1, link.get().delayMs() + link.get().distanceMs()) / 1000.0;
            Instant lastComplete = to.truncatedTo(ChronoUnit.MINUTES).minus(1, ChronoUnit.MINUTES);
            for (Instant t = from.truncatedTo(ChronoUnit.MINUTES); !t.isAfter(lastComplete); t = t.plus(1, ChronoUnit.MINUTES)) {
                points.add(new Datapoint(t, seconds / figure.metric().toSeconds()));
            }
        }
        return Future.succeededFuture(points);
    }
}
