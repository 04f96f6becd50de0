package io.replag.agent.sql;

import io.replag.agent.config.ConfigNode;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads the keys the {@code postgres:} and {@code mysql:} sections share into a builder; the caller finishes the node. */
public final class SqlOptionsReader {
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
    private static final Pattern CLOCK = Pattern.compile("server|client");
    private static final Set<String> TLS_MODES = Set.of("disable", "require", "verify-ca", "verify-full");

    private SqlOptionsReader() {
    }

    private static final Pattern RDS_IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,62}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");

    /** {@code {region: identifier}}: RDS DB instance or cluster identifiers by region. */
    private static java.util.Map<String, String> identifiers(ConfigNode node) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String region : node.keys()) {
            ConfigNode id = node.get(region);
            if (!REGION.matcher(region).matches()) {
                id.error("must be keyed by an AWS region such as eu-west-1, found \"" + region + "\"");
                continue;
            }
            id.matching(RDS_IDENTIFIER, "an RDS identifier (a letter, then letters, digits or -)").ifPresent(v -> out.put(region, v));
        }
        node.finish();
        return out;
    }

    public static SqlOptions.Builder read(ConfigNode node, SqlOptions.Builder b) {
        node.get("database").string().ifPresent(b::database);
        node.get("user").string().ifPresent(b::user);
        boolean passwordGiven = node.get("password").isPresent() || node.get("password_file").isPresent();
        node.secretOrFile("password").ifPresent(b::password);
        ConfigNode iam = node.get("iam_auth");
        boolean iamAuth = iam.bool().orElse(false);
        if (iamAuth && passwordGiven) {
            iam.error("IAM authentication replaces the password: remove password/password_file");
        }
        b.iamAuth(iamAuth);
        ConfigNode tls = node.get("tls");
        if (tls.isPresent() && tls.isMap()) {
            ConfigNode mode = tls.get("mode");
            Optional<String> m = mode.string().filter(v -> {
                if (TLS_MODES.contains(v)) {
                    return true;
                }
                mode.error("must be one of disable, require, verify-ca, verify-full, found \"" + v + "\"");
                return false;
            });
            Optional<String> caFile = tls.get("ca_file").readableFile();
            tls.finish();
            b.tls(new SqlOptions.Tls(m.orElse("verify-full"), caFile));
        }
        node.get("table").matching(TABLE, "a table name, optionally schema-qualified (replag_canary, monitoring.replag_canary)")
                .ifPresent(b::table);
        node.get("create_table").bool().ifPresent(b::createTable);
        node.get("connect_timeout").duration().ifPresent(b::connectTimeout);
        node.get("clock").matching(CLOCK, "server (the servers' clocks time each canary) or client (replag's clock)")
                .ifPresent(c -> b.serverClock(c.equals("server")));
        node.get("server_clock_error").durationWithin(java.time.Duration.ZERO, java.time.Duration.ofSeconds(10)).ifPresent(b::serverClockError);
        ConfigNode cloudWatch = node.get("cloudwatch");
        if (cloudWatch.isPresent() && cloudWatch.isMap()) {
            b.cloudWatch(new RdsCloudWatch.Targets(identifiers(cloudWatch.get("replica_instances")),
                    identifiers(cloudWatch.get("secondary_clusters"))));
            cloudWatch.finish();
        }
        return b;
    }
}
