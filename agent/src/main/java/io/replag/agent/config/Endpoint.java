package io.replag.agent.config;

/** Where a store is reached in one region: a host and port (0 when the store picks its default). */
public record Endpoint(String host, int port) {
    @Override
    public String toString() {
        return host + ":" + port;
    }
}
