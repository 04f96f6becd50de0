package io.replag.exporter.config;

import io.replag.agent.config.ReplicationSet;
import io.replag.exporter.health.RegionHealthConfig;

import java.util.List;
import java.util.Objects;

/**
 * A whole configuration file, validated.
 *
 * @param agent      this agent's id: part of every canary's key, so two agents never share a record
 * @param listenHost address the HTTP server binds
 * @param listenPort port of /metrics and the health endpoints
 * @param sets       the replication sets to probe
 * @param regionHealth when {@code /health/regions/{region}} reports a region healthy
 */
public record ReplagConfig(String agent, String listenHost, int listenPort, List<ReplicationSet> sets,
                           RegionHealthConfig regionHealth) {
    public static final int DEFAULT_PORT = 9478;

    public ReplagConfig {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(listenHost, "listenHost");
        sets = List.copyOf(sets);
        Objects.requireNonNull(regionHealth, "regionHealth");
    }

    public ReplagConfig(String agent, String listenHost, int listenPort, List<ReplicationSet> sets) {
        this(agent, listenHost, listenPort, sets, RegionHealthConfig.DEFAULT);
    }

    public ReplagConfig withPort(int port) {
        return new ReplagConfig(agent, listenHost, port, sets, regionHealth);
    }

    public int pairCount() {
        return sets.stream().mapToInt(s -> s.pairs().size()).sum();
    }
}
