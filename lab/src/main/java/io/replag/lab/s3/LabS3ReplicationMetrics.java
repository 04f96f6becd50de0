package io.replag.lab.s3;

import io.replag.agent.cloudwatch.Datapoint;
import io.replag.agent.s3.S3Options;
import io.replag.agent.s3.S3ReplicationMetricsSource;
import io.replag.agent.s3.S3Rule;
import io.replag.lab.LinkState;
import io.vertx.core.Future;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CloudWatch's S3 replication metrics as the lab would publish them: one datapoint per minute per
 * rule, the link's delay as ReplicationLatency, one pending operation while the link is paused,
 * failed operations while it drops, the current minute not yet published. Lets the demo show the
 * native figures beside the canary.
 */
public final class LabS3ReplicationMetrics implements S3ReplicationMetricsSource {
    private final S3Lab lab;

    public LabS3ReplicationMetrics(S3Lab lab) {
        this.lab = lab;
    }

    @Override
    public Future<Map<String, Map<String, List<Datapoint>>>> fetch(String sourceRegion, S3Options options, List<S3Rule> rules,
                                                                  Instant from, Instant to) {
        Map<String, Map<String, List<Datapoint>>> out = new HashMap<>();
        Instant lastComplete = to.truncatedTo(ChronoUnit.MINUTES).minus(1, ChronoUnit.MINUTES);
        for (LinkState link : lab.links()) {
            boolean ruled = rules.stream().anyMatch(r -> r.ruleId().isPresent() && r.source().equals(link.source())
                    && r.target().equals(link.target()));
            if (!link.source().equals(sourceRegion) || !ruled) {
                continue;
            }
            Map<String, List<Datapoint>> metrics = new HashMap<>();
            for (String metric : METRICS) {
                metrics.put(metric, new ArrayList<>());
            }
            for (Instant t = from.truncatedTo(ChronoUnit.MINUTES); !t.isAfter(lastComplete); t = t.plus(1, ChronoUnit.MINUTES)) {
                if (!link.paused() && !link.dropping()) {
                    metrics.get(LATENCY).add(new Datapoint(t, Math.max(1, link.delayMs() / 1000.0)));
                }
                metrics.get(PENDING).add(new Datapoint(t, link.paused() ? 1 : 0));
                metrics.get(FAILED).add(new Datapoint(t, link.dropping() ? 60 : 0));
            }
            out.put(link.target(), metrics);
        }
        return Future.succeededFuture(out);
    }
}
