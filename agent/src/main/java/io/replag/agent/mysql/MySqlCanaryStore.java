package io.replag.agent.mysql;

import io.replag.agent.spi.Reason;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.NativeLag;
import io.replag.agent.sql.RdsIamToken;
import io.replag.agent.sql.SqlCanaryStore;
import io.replag.agent.sql.SqlOptions;
import io.replag.agent.sql.SqlTrust;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLAuthenticationPlugin;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.mysqlclient.SslMode;
import io.vertx.sqlclient.ClientBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import io.replag.agent.spi.CanaryKey;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnectOptions;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * MySQL, MariaDB and Aurora MySQL with read replicas: canaries are rows in a small table on the
 * writer, read on each replica. Non-blocking: vertx-mysql-client, one small pool per region.
 * Native figures: the replica's own {@code Seconds_Behind_Source} (NULL, replication stopped, is
 * reported as stopped, never as 0), and on Aurora global databases the writer's
 * {@code aurora_global_db_status} lags.
 */
public final class MySqlCanaryStore extends SqlCanaryStore {
    static final String SECONDS_BEHIND = "Seconds_Behind_Source";
    /** MySQL's syntax error; ER_UNKNOWN_TABLE and ER_NO_SUCH_TABLE: the status statement or table is not there. */
    private static final int ER_PARSE_ERROR = 1064;
    private static final Set<Integer> NO_SUCH_TABLE = Set.of(1109, 1146);

    /** Regions that answered SHOW REPLICA STATUS with a syntax error: older servers, asked SHOW SLAVE STATUS. */
    private final Set<String> oldStatusSyntax = ConcurrentHashMap.newKeySet();

    /** With the set's own options, checked by the provider. */
    public MySqlCanaryStore(Vertx vertx, ReplicationSet set) {
        this(vertx, set, new MySqlStoreProvider().options(set));
    }

    public MySqlCanaryStore(Vertx vertx, ReplicationSet set, SqlOptions options) {
        super(vertx, set, options, statements(options));
    }

    private static Statements statements(SqlOptions options) {
        String table = options.table();
        return new Statements(MySqlSql.createTable(table), MySqlSql.write(table), MySqlSql.writeServerTimed(table), MySqlSql.read(table),
                MySqlSql.AURORA_GLOBAL_STATUS,
                MySqlSql.NOW_MICROS, MySqlSql.readTimed(table));
    }

    @Override
    protected String placeholder(int n) {
        return "?";
    }

    @Override
    protected Supplier<Future<SqlConnectOptions>> connectOptions(String region, Endpoint endpoint, RdsIamToken iam) {
        MySQLConnectOptions connect = new MySQLConnectOptions()
                .setHost(endpoint.host())
                .setPort(endpoint.port() == 0 ? 3306 : endpoint.port())
                .setDatabase(options.database())
                .setUser(options.user())
                .setCachePreparedStatements(true)
                // a write's two clock readings go with it in one round trip, and reads of a far region overlap
                .setPipeliningLimit(16)
                // a refused stale write must count 0 rows, not the 1 row it found
                .setUseAffectedRows(true);
        connect.addProperty("program_name", "replag");
        options.password().ifPresent(p -> connect.setPassword(p.reveal()));
        connect.setSslMode(switch (options.tls().mode()) {
            case "disable" -> SslMode.DISABLED;
            case "require" -> SslMode.REQUIRED;
            case "verify-ca" -> SslMode.VERIFY_CA;
            default -> SslMode.VERIFY_IDENTITY;
        });
        SqlTrust.sslOptions(options.tls()).ifPresent(connect::setSslOptions);
        if (iam != null) {
            // RDS IAM tokens go to the server in clear text, which RDS accepts only over TLS
            connect.setAuthenticationPlugin(MySQLAuthenticationPlugin.MYSQL_CLEAR_PASSWORD);
        }
        return iam == null
                ? () -> Future.succeededFuture(connect)
                : () -> iam.token(region, connect).map(token -> new MySQLConnectOptions(connect).setPassword(token));
    }

    @Override
    protected Tuple readTimedArgs(CanaryKey key) {
        return Tuple.of(key.agent(), key.sourceRegion(), key.agent(), committedRow(key.sourceRegion()));
    }

    @Override
    protected ClientBuilder<Pool> poolBuilder() {
        return MySQLBuilder.pool();
    }

    @Override
    protected ClientBuilder<SqlClient> clientBuilder() {
        return MySQLBuilder.client();
    }

    @Override
    protected Future<List<NativeLag>> replicaFigures(String region) {
        boolean old = oldStatusSyntax.contains(region);
        return pool(region).query(old ? MySqlSql.SLAVE_STATUS : MySqlSql.REPLICA_STATUS).execute()
                .recover(e -> {
                    if (!old && e instanceof MySQLException my && my.getErrorCode() == ER_PARSE_ERROR) {
                        oldStatusSyntax.add(region);
                        return pool(region).query(MySqlSql.SLAVE_STATUS).execute();
                    }
                    return Future.failedFuture(e);
                })
                .map(MySqlCanaryStore::secondsBehind);
    }

    /** The replica's own lag: no row, not a replica (no figure); NULL, replication stopped. */
    static List<NativeLag> secondsBehind(RowSet<Row> rows) {
        var it = rows.iterator();
        if (!it.hasNext()) {
            return List.of();
        }
        Row row = it.next();
        int column = row.getColumnIndex("Seconds_Behind_Source");
        if (column < 0) {
            column = row.getColumnIndex("Seconds_Behind_Master");
        }
        Object value = column < 0 ? null : row.getValue(column);
        if (value == null) {
            return List.of(NativeLag.stopped(SECONDS_BEHIND));
        }
        return List.of(new NativeLag(SECONDS_BEHIND, Double.parseDouble(value.toString()), NativeLag.Replication.RUNNING));
    }

    @Override
    protected boolean noAuroraGlobalStatus(Throwable failure) {
        return failure instanceof MySQLException my && (NO_SUCH_TABLE.contains(my.getErrorCode()) || "42S02".equals(my.getSqlState()));
    }

    @Override
    protected Optional<Reason> databaseReason(Throwable failure) {
        if (failure instanceof MySQLException my) {
            return Optional.of(switch (my.getErrorCode()) {
                case 1146 -> Reason.TABLE_MISSING;
                case 1142, 1143, 1227, 1044 -> Reason.of("permission_denied");
                case 1045, 1698 -> Reason.AUTH_FAILED;
                case 1049 -> Reason.of("database_missing");
                case 1290, 1836 -> Reason.of("read_only");
                case 1040, 1203 -> Reason.of("too_many_connections");
                case 1053 -> Reason.of("unavailable");
                case 1205, 1213 -> Reason.of("lock_timeout");
                default -> Reason.of("mysql_" + my.getErrorCode());
            });
        }
        return Optional.empty();
    }
}
