package io.replag.agent.postgres;

import io.replag.agent.spi.Reason;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.NativeLag;
import io.replag.agent.sql.RdsIamToken;
import io.replag.agent.sql.SqlCanaryStore;
import io.replag.agent.sql.SqlTrust;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.ClientBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import io.replag.agent.spi.CanaryKey;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnectOptions;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * PostgreSQL (RDS, Aurora PostgreSQL, self-managed) with physical read replicas: canaries are
 * rows in a small table on the primary, read on each replica. Non-blocking: vertx-pg-client, one
 * small pool per region. Native figure: the replica's replay lag (PostgresSql), and on Aurora
 * global databases {@code aurora_global_db_status()} on the writer.
 */
public final class PostgresCanaryStore extends SqlCanaryStore {

    /** With the set's own options, checked by the provider. */
    public PostgresCanaryStore(Vertx vertx, ReplicationSet set) {
        this(vertx, set, new PostgresStoreProvider().options(set));
    }

    public PostgresCanaryStore(Vertx vertx, ReplicationSet set, io.replag.agent.sql.SqlOptions options) {
        super(vertx, set, options, statements(options));
    }

    private static Statements statements(io.replag.agent.sql.SqlOptions options) {
        String table = options.table();
        return new Statements(PostgresSql.createTable(table), PostgresSql.write(table), PostgresSql.writeServerTimed(table), PostgresSql.read(table),
                PostgresSql.AURORA_GLOBAL_STATUS,
                PostgresSql.NOW_MICROS, PostgresSql.readTimed(table));
    }

    @Override
    protected String placeholder(int n) {
        return "$" + n;
    }

    @Override
    protected Supplier<Future<SqlConnectOptions>> connectOptions(String region, Endpoint endpoint, RdsIamToken iam) {
        PgConnectOptions connect = new PgConnectOptions()
                .setHost(endpoint.host())
                .setPort(endpoint.port() == 0 ? 5432 : endpoint.port())
                .setDatabase(options.database())
                .setUser(options.user())
                .setCachePreparedStatements(true)
                // a write's two clock readings go with it in one round trip, and reads of a far region overlap
                .setPipeliningLimit(16);
        connect.addProperty("application_name", "replag");
        options.password().ifPresent(p -> connect.setPassword(p.reveal()));
        connect.setSslMode(switch (options.tls().mode()) {
            case "disable" -> SslMode.DISABLE;
            case "require" -> SslMode.REQUIRE;
            case "verify-ca" -> SslMode.VERIFY_CA;
            default -> SslMode.VERIFY_FULL;
        });
        SqlTrust.sslOptions(options.tls()).ifPresent(connect::setSslOptions);
        return iam == null
                ? () -> Future.succeededFuture(connect)
                : () -> iam.token(region, connect).map(token -> new PgConnectOptions(connect).setPassword(token));
    }

    @Override
    protected Tuple readTimedArgs(CanaryKey key) {
        return Tuple.of(key.agent(), key.sourceRegion(), committedRow(key.sourceRegion()));
    }

    @Override
    protected ClientBuilder<Pool> poolBuilder() {
        return PgBuilder.pool();
    }

    @Override
    protected ClientBuilder<SqlClient> clientBuilder() {
        return PgBuilder.client();
    }

    @Override
    protected Future<List<NativeLag>> replicaFigures(String targetRegion) {
        return pool(targetRegion).query(PostgresSql.NATIVE_REPLAY_LAG).execute().map(rows -> {
            Double lag = rows.iterator().next().getDouble("lag_seconds");
            return lag == null ? List.<NativeLag>of() : List.of(new NativeLag(PostgresSql.NATIVE_SOURCE_METRIC, Math.max(0, lag)));
        });
    }

    /** 42883: no such function (not Aurora); 42501: not allowed. Either way, not asked again. */
    @Override
    protected boolean noAuroraGlobalStatus(Throwable failure) {
        return failure instanceof PgException pg && ("42883".equals(pg.getSqlState()) || "42501".equals(pg.getSqlState()));
    }

    @Override
    protected Optional<Reason> databaseReason(Throwable failure) {
        if (failure instanceof PgException pg && pg.getSqlState() != null) {
            String state = pg.getSqlState();
            return Optional.of(switch (state) {
                case "42P01" -> Reason.TABLE_MISSING;
                case "42501" -> Reason.of("permission_denied");
                case "28P01", "28000" -> Reason.AUTH_FAILED;
                case "3D000" -> Reason.of("database_missing");
                case "25006" -> Reason.of("read_only");
                case "57P01", "57P02", "57P03" -> Reason.of("unavailable");
                case "53300" -> Reason.of("too_many_connections");
                default -> Reason.of(state.startsWith("08") ? "connection_error" : "sql_" + state.toLowerCase(java.util.Locale.ROOT));
            });
        }
        return Optional.empty();
    }
}
