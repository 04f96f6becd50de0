package io.replag.exporter.http;

import java.time.Duration;

/**
 * What one client may hold of the HTTP server: how long it may take to send a request's headers,
 * how long a kept-alive connection may sit idle, and how many connections may be open at once.
 * A client that sends one header line every few seconds (slowloris) is closed at
 * {@code headerTimeout}; a connection over {@code maxConnections} is closed at once.
 */
public record ServerLimits(Duration headerTimeout, Duration idleTimeout, int maxConnections) {
    /** Prometheus scrapes in well under a second and keeps its connection busy every 15-60 s. */
    public static final ServerLimits DEFAULT = new ServerLimits(Duration.ofSeconds(10), Duration.ofSeconds(120), 512);

    public ServerLimits {
        if (headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("headerTimeout: must be > 0, found " + headerTimeout);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout: must be > 0, found " + idleTimeout);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections: must be >= 1, found " + maxConnections);
        }
    }
}
