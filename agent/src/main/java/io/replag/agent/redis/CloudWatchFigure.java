package io.replag.agent.redis;

import java.util.Map;
import java.util.Objects;

/**
 * One CloudWatch figure of a pair: ElastiCache's {@code GlobalDatastoreReplicationLag} (seconds,
 * {@code AWS/ElastiCache}, published for the secondary cluster) or MemoryDB's
 * {@code MultiRegionClusterReplicationLag} (milliseconds, {@code AWS/MemoryDB}, published for each
 * regional cluster per source region). Both are read in the target region with the dimensions the
 * CloudWatch console shows for the metric, maximum of each minute.
 */
public record CloudWatchFigure(String source, String target, Metric metric, Map<String, String> dimensions) {

    /** The two services' figures, with their namespace and unit. */
    public enum Metric {
        GLOBAL_DATASTORE("GlobalDatastoreReplicationLag", "AWS/ElastiCache", 1.0),
        MULTI_REGION("MultiRegionClusterReplicationLag", "AWS/MemoryDB", 0.001);

        private final String metricName;
        private final String namespace;
        private final double toSeconds;

        Metric(String metricName, String namespace, double toSeconds) {
            this.metricName = metricName;
            this.namespace = namespace;
            this.toSeconds = toSeconds;
        }

        public String metricName() {
            return metricName;
        }

        public String namespace() {
            return namespace;
        }

        /** The metric's unit in seconds: GlobalDatastoreReplicationLag is in seconds, MultiRegionClusterReplicationLag in ms. */
        public double toSeconds() {
            return toSeconds;
        }

        public static java.util.Optional<Metric> byName(String name) {
            for (Metric m : values()) {
                if (m.metricName.equals(name)) {
                    return java.util.Optional.of(m);
                }
            }
            return java.util.Optional.empty();
        }
    }

    public CloudWatchFigure {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(metric, "metric");
        dimensions = Map.copyOf(dimensions);
    }
}
