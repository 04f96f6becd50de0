package io.replag.agent.mysql;

import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.NativeLag;
import io.replag.agent.spi.StaleSeqException;
import io.replag.agent.sql.RdsCloudWatch;
import io.replag.agent.sql.RdsIamToken;
import io.replag.agent.sql.SqlOptions;
import io.replag.agent.sql.SqlTrust;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.mysqlclient.MySQLAuthenticationPlugin;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.mysqlclient.SslMode;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnectOptions;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * MySQL, MariaDB and Aurora MySQL with read replicas: canaries are rows in a small table on the
 * writer, read on each replica. Non-blocking: vertx-mysql-client, one small pool per region.
 * Native figures: the replica's own {@code Seconds_Behind_Source} (NULL, replication stopped, is
 * reported as stopped, never as 0), and on Aurora global databases the writer's
 * {@code aurora_global_db_status} lags.
 */
public final class MySqlCanaryStore implements CanaryStore {
    static final String SECONDS_BEHIND = "Seconds_Behind_Source";
    static final String AURORA_RPO_LAG = "aurora_global_db_rpo_lag";
    static final String AURORA_DURABILITY_LAG = "aurora_global_db_durability_lag";
    /** MySQL's syntax error; ER_UNKNOWN_TABLE and ER_NO_SUCH_TABLE: the status statement or table is not there. */
    private static final int ER_PARSE_ERROR = 1064;
    private static final Set<Integer> NO_SUCH_TABLE = Set.of(1109, 1146);

    private final SqlOptions options;
    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private final String createTable;
    private final String write;
    private final String read;
    /** RDS's CloudWatch figures, when identifiers are configured; null otherwise. */
    private final RdsCloudWatch cloudWatch;
    /** Regions that answered SHOW REPLICA STATUS with a syntax error: older servers, asked SHOW SLAVE STATUS. */
    private final Set<String> oldStatusSyntax = ConcurrentHashMap.newKeySet();
    /** Regions without information_schema.aurora_global_db_status (not Aurora global): not asked again. */
    private final Set<String> noAuroraGlobal = ConcurrentHashMap.newKeySet();

    public MySqlCanaryStore(Vertx vertx, ReplicationSet set) {
        this.options = (SqlOptions) set.options();
        this.createTable = MySqlSql.createTable(options.table());
        this.write = MySqlSql.write(options.table());
        this.read = MySqlSql.read(options.table());
        RdsIamToken iam = options.iamAuth() ? new RdsIamToken(vertx) : null;
        this.cloudWatch = options.cloudWatch().isEmpty() ? null : new RdsCloudWatch(vertx, options.cloudWatch());
        set.endpoints().forEach((region, endpoint) -> pools.put(region, pool(vertx, region, endpoint, iam)));
    }

    private Pool pool(Vertx vertx, String region, Endpoint endpoint, RdsIamToken iam) {
        MySQLConnectOptions connect = new MySQLConnectOptions()
                .setHost(endpoint.host())
                .setPort(endpoint.port() == 0 ? 3306 : endpoint.port())
                .setDatabase(options.database())
                .setUser(options.user())
                .setCachePreparedStatements(true)
                .setPipeliningLimit(1)
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
        int connectMs = (int) Math.max(1000, options.connectTimeout().toMillis());
        NetClientOptions net = new NetClientOptions().setConnectTimeout(connectMs)
                // a server that stops answering on an open connection must not pin it forever
                .setIdleTimeout(60).setIdleTimeoutUnit(TimeUnit.SECONDS);
        PoolOptions pool = new PoolOptions().setMaxSize(2).setMaxWaitQueueSize(16)
                .setIdleTimeout(5).setIdleTimeoutUnit(TimeUnit.MINUTES).setName("replag-mysql-" + region);
        Supplier<Future<SqlConnectOptions>> connectOptions = iam == null
                ? () -> Future.succeededFuture(connect)
                : () -> iam.token(region, connect).map(token -> new MySQLConnectOptions(connect).setPassword(token));
        return MySQLBuilder.pool().with(pool).with(net).connectingTo(connectOptions).using(vertx).build();
    }

    private Pool pool(String region) {
        Pool pool = pools.get(region);
        if (pool == null) {
            throw new IllegalArgumentException("no endpoint for region " + region);
        }
        return pool;
    }

    @Override
    public Future<Void> prepareWriter(String region) {
        if (!options.createTable()) {
            return Future.succeededFuture();
        }
        return pool(region).query(createTable).execute().mapEmpty();
    }

    @Override
    public Future<Void> write(String region, Canary canary) {
        Tuple args = Tuple.of(canary.key().agent(), canary.key().sourceRegion(), canary.seq(), canary.writtenAtMicros());
        return pool(region).preparedQuery(write).execute(args).compose(rows -> rows.rowCount() > 0
                ? Future.succeededFuture()
                : Future.failedFuture(new StaleSeqException("row holds a seq >= " + canary.seq())));
    }

    @Override
    public Future<Optional<Canary>> read(String region, CanaryKey key) {
        return pool(region).preparedQuery(read).execute(Tuple.of(key.agent(), key.sourceRegion())).map(rows -> {
            var it = rows.iterator();
            if (!it.hasNext()) {
                return Optional.empty();
            }
            Row row = it.next();
            return Optional.of(new Canary(key, row.getLong("seq"), row.getLong("written_at_us")));
        });
    }

    @Override
    public Future<List<NativeLag>> readNativeLag(String sourceRegion, String targetRegion) {
        Future<List<NativeLag>> fromCloudWatch = cloudWatch == null ? Future.succeededFuture(List.of()) : cloudWatch.figures(targetRegion);
        return Future.all(replicaStatus(targetRegion), auroraGlobal(sourceRegion, targetRegion), fromCloudWatch).map(all -> {
            List<NativeLag> figures = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                figures.addAll(all.<List<NativeLag>>resultAt(i));
            }
            return figures;
        });
    }

    private Future<List<NativeLag>> replicaStatus(String region) {
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

    /** On an Aurora global database's writer, its lag figures for the target's region; nothing elsewhere. */
    private Future<List<NativeLag>> auroraGlobal(String sourceRegion, String targetRegion) {
        if (noAuroraGlobal.contains(sourceRegion)) {
            return Future.succeededFuture(List.of());
        }
        return pool(sourceRegion).query(MySqlSql.AURORA_GLOBAL_STATUS).execute().map(rows -> {
            List<NativeLag> figures = new ArrayList<>();
            for (Row row : rows) {
                if (targetRegion.equals(row.getString(0))) {
                    addMillis(figures, AURORA_RPO_LAG, row.getValue(2));
                    addMillis(figures, AURORA_DURABILITY_LAG, row.getValue(1));
                }
            }
            return figures;
        }).recover(e -> {
            if (e instanceof MySQLException my && (NO_SUCH_TABLE.contains(my.getErrorCode()) || "42S02".equals(my.getSqlState()))) {
                noAuroraGlobal.add(sourceRegion);
                return Future.succeededFuture(List.of());
            }
            return Future.failedFuture(e);
        });
    }

    private static void addMillis(List<NativeLag> figures, String metric, Object millis) {
        if (millis != null) {
            figures.add(new NativeLag(metric, Double.parseDouble(millis.toString()) / 1000.0));
        }
    }

    @Override
    public Optional<String> errorReason(Throwable failure) {
        Optional<String> aws = io.replag.agent.aws.AwsCredentials.awsReason(failure);
        if (aws.isPresent()) {
            return aws; // the CloudWatch part of the native figures
        }
        if (failure instanceof ClosedConnectionException) {
            return Optional.of("connection_closed");
        }
        if (failure instanceof MySQLException my) {
            return Optional.of(switch (my.getErrorCode()) {
                case 1146 -> "table_missing";
                case 1142, 1143, 1227, 1044 -> "permission_denied";
                case 1045, 1698 -> "auth_failed";
                case 1049 -> "database_missing";
                case 1290, 1836 -> "read_only";
                case 1040, 1203 -> "too_many_connections";
                case 1053 -> "unavailable";
                case 1205, 1213 -> "lock_timeout";
                default -> "mysql_" + my.getErrorCode();
            });
        }
        return Optional.empty();
    }

    @Override
    public Future<Void> close() {
        if (cloudWatch != null) {
            cloudWatch.close();
        }
        return Future.join(pools.values().stream().map(Pool::close).toList()).mapEmpty();
    }
}
