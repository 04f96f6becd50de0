package io.replag.agent.config;

/** One measured direction of replication: canaries written in {@code source} and awaited in {@code target}. */
public record ReplicationPair(String source, String target) {
}
