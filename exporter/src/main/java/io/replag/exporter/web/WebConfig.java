package io.replag.exporter.web;

import java.util.Map;
import java.util.Optional;

/**
 * TLS and basic authentication for every HTTP endpoint, from a web config file in the format of
 * the Prometheus exporter-toolkit ({@code --web.config.file}), so it drops into existing setups.
 *
 * @param tls   server certificate and key (PEM); empty: plain HTTP
 * @param users user name to bcrypt hash; empty: no authentication
 */
public record WebConfig(Optional<Tls> tls, Map<String, String> users) {
    public static final WebConfig NONE = new WebConfig(Optional.empty(), Map.of());

    public record Tls(String certFile, String keyFile) {
    }

    public WebConfig {
        users = Map.copyOf(users);
    }
}
