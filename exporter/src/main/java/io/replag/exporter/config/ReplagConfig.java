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
 * @param agentOptions where this agent runs (per-region mode) and its clock error bound
 */
public record ReplagConfig(String agent, String listenHost, int listenPort, List<ReplicationSet> sets,
                           RegionHealthConfig regionHealth, AgentOptions agentOptions, LagThresholds lagThresholds) {
    public static final int DEFAULT_PORT = 9478;

    public ReplagConfig {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(listenHost, "listenHost");
        sets = List.copyOf(sets);
        Objects.requireNonNull(regionHealth, "regionHealth");
        Objects.requireNonNull(agentOptions, "agentOptions");
        Objects.requireNonNull(lagThresholds, "lagThresholds");
    }

    public ReplagConfig(String agent, String listenHost, int listenPort, List<ReplicationSet> sets,
                        RegionHealthConfig regionHealth, AgentOptions agentOptions) {
        this(agent, listenHost, listenPort, sets, regionHealth, agentOptions, LagThresholds.DEFAULT);
    }

    public ReplagConfig(String agent, String listenHost, int listenPort, List<ReplicationSet> sets, RegionHealthConfig regionHealth) {
        this(agent, listenHost, listenPort, sets, regionHealth, AgentOptions.DEFAULT);
    }

    public ReplagConfig(String agent, String listenHost, int listenPort, List<ReplicationSet> sets) {
        this(agent, listenHost, listenPort, sets, RegionHealthConfig.DEFAULT);
    }

    public ReplagConfig withPort(int port) {
        return new ReplagConfig(agent, listenHost, port, sets, regionHealth, agentOptions, lagThresholds);
    }

    /** Every region some set has, sorted. */
    public java.util.Set<String> regions() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        sets.forEach(s -> out.addAll(s.endpoints().keySet()));
        return out;
    }

    /**
     * The same file in per-region mode for {@code region} (the {@code --region} flag).
     *
     * @throws IllegalArgumentException naming the region when no set has it
     */
    public ReplagConfig inRegion(String region) {
        if (!regions().contains(region)) {
            throw new IllegalArgumentException("--region: no replication set has region \"" + region + "\" (regions: "
                    + String.join(", ", regions()) + ")");
        }
        return new ReplagConfig(agent, listenHost, listenPort, sets, regionHealth, agentOptions.withRegion(region), lagThresholds);
    }

    public int pairCount() {
        return sets.stream().mapToInt(s -> s.pairs().size()).sum();
    }
}
