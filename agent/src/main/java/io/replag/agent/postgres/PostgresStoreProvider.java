package io.replag.agent.postgres;

import io.replag.agent.config.ConfigNode;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.StoreProvider;
import io.vertx.core.Vertx;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The {@code postgres} store: config section {@code postgres:} of a single-writer set. */
public final class PostgresStoreProvider implements StoreProvider {
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
    private static final Set<String> TLS_MODES = Set.of("disable", "require", "verify-ca", "verify-full");

    @Override
    public String key() {
        return "postgres";
    }

    @Override
    public boolean multiWriter() {
        return false;
    }

    @Override
    public Object parseOptions(ConfigNode node) {
        var b = PostgresOptions.builder();
        node.get("database").string().ifPresent(b::database);
        node.get("user").string().ifPresent(b::user);
        ConfigNode password = node.get("password");
        ConfigNode passwordFile = node.get("password_file");
        if (password.isPresent() && passwordFile.isPresent()) {
            passwordFile.error("give password or password_file, not both");
        }
        password.secret().ifPresent(b::password);
        passwordFile.secretFile().ifPresent(b::password);
        ConfigNode iam = node.get("iam_auth");
        boolean iamAuth = iam.bool().orElse(false);
        if (iamAuth && (password.isPresent() || passwordFile.isPresent())) {
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
            ConfigNode ca = tls.get("ca_file");
            Optional<String> caFile = ca.string();
            caFile.ifPresent(f -> {
                if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(f))) {
                    ca.error("cannot read \"" + f + "\"");
                }
            });
            tls.finish();
            b.tls(new PostgresOptions.Tls(m.orElse("verify-full"), caFile));
        }
        node.get("table").matching(TABLE, "a table name, optionally schema-qualified (replag_canary, monitoring.replag_canary)")
                .ifPresent(b::table);
        node.get("create_table").bool().ifPresent(b::createTable);
        node.get("connect_timeout").duration().ifPresent(b::connectTimeout);
        node.finish();
        return b.build();
    }

    @Override
    public CanaryStore create(Vertx vertx, ReplicationSet set) {
        return new PostgresCanaryStore(vertx, set);
    }
}
