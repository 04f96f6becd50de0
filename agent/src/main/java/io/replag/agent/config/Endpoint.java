package io.replag.agent.config;

/**
 * Where a store is reached in one region: a host and port, or {@link #DEFAULT} for the store's
 * own endpoint of that region (AWS APIs such as DynamoDB's).
 */
public record Endpoint(String host, int port) {
    public static final Endpoint DEFAULT = new Endpoint("", 0);

    public boolean isDefault() {
        return host.isEmpty();
    }

    @Override
    public String toString() {
        return isDefault() ? "(default)" : host + ":" + port;
    }
}
