package io.replag.lab.dynamodb;

import io.replag.agent.cloudwatch.Datapoint;
import io.replag.agent.dynamodb.ReplicationLatencySource;
import io.replag.lab.LinkState;
import io.vertx.core.Future;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CloudWatch's ReplicationLatency as the lab would publish it: one datapoint per minute, the
 * link's delay as the average, the current minute not yet published, nothing while the link is
 * paused (no item replicated, so no datapoint). Lets the demo show a native figure beside the canary.
 */
public final class LabReplicationLatency implements ReplicationLatencySource {
    private final DynamoLab lab;

    public LabReplicationLatency(DynamoLab lab) {
        this.lab = lab;
    }

    @Override
    public Future<Map<String, List<Datapoint>>> fetch(String sourceRegion, String table, List<String> receivingRegions,
                                                      Instant from, Instant to) {
        Map<String, List<Datapoint>> out = new HashMap<>();
        Instant lastComplete = to.truncatedTo(ChronoUnit.MINUTES).minus(1, ChronoUnit.MINUTES);
        for (LinkState link : lab.links()) {
            if (!link.source().equals(sourceRegion) || !receivingRegions.contains(link.target()) || link.paused()) {
                continue;
            }
            List<Datapoint> points = new ArrayList<>();
            for (Instant t = from.truncatedTo(ChronoUnit.MINUTES); !t.isAfter(lastComplete); t = t.plus(1, ChronoUnit.MINUTES)) {
                points.add(new Datapoint(t, Math.max(5, link.delayMs())));
            }
            out.put(link.target(), points);
        }
        return Future.succeededFuture(out);
    }
}
