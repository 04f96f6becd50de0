package io.replag.agent.postgres;

import io.replag.agent.sql.RdsCloudWatch;
import io.replag.agent.sql.RdsIamToken;
import io.replag.agent.sql.SqlOptions;
import io.replag.agent.sql.SqlTrust;

import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.NativeLag;
import io.replag.agent.spi.StaleSeqException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnectOptions;
import io.vertx.sqlclient.Tuple;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * PostgreSQL (RDS, Aurora PostgreSQL, self-managed) with physical read replicas: canaries are
 * rows in a small table on the primary, read on each replica. Non-blocking: vertx-pg-client, one
 * small pool per region.
 */
public final class PostgresCanaryStore implements CanaryStore {
    private final SqlOptions options;
    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private final String createTable;
    private final String write;
    private final String read;
    /** RDS's CloudWatch figures, when identifiers are configured; null otherwise. */
    private final RdsCloudWatch cloudWatch;
    static final String AURORA_RPO_LAG = "aurora_global_db_rpo_lag";
    static final String AURORA_DURABILITY_LAG = "aurora_global_db_durability_lag";
    /** Writers without aurora_global_db_status() (not Aurora global): not asked again. */
    private final java.util.Set<String> noAuroraGlobal = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public PostgresCanaryStore(Vertx vertx, ReplicationSet set) {
        this.options = (SqlOptions) set.options();
        this.createTable = PostgresSql.createTable(options.table());
        this.write = PostgresSql.write(options.table());
        this.read = PostgresSql.read(options.table());
        RdsIamToken iam = options.iamAuth() ? new RdsIamToken(vertx) : null;
        this.cloudWatch = options.cloudWatch().isEmpty() ? null : new RdsCloudWatch(vertx, options.cloudWatch());
        set.endpoints().forEach((region, endpoint) -> pools.put(region, pool(vertx, region, endpoint, iam)));
    }

    private Pool pool(Vertx vertx, String region, Endpoint endpoint, RdsIamToken iam) {
        PgConnectOptions connect = new PgConnectOptions()
                .setHost(endpoint.host())
                .setPort(endpoint.port() == 0 ? 5432 : endpoint.port())
                .setDatabase(options.database())
                .setUser(options.user())
                .setCachePreparedStatements(true)
                .setPipeliningLimit(1);
        connect.addProperty("application_name", "replag");
        options.password().ifPresent(p -> connect.setPassword(p.reveal()));
        applyTls(connect);
        int requestMs = (int) Math.max(1000, options.connectTimeout().toMillis());
        NetClientOptions net = new NetClientOptions()
                .setConnectTimeout(requestMs)
                // a server that stops answering on an open connection must not pin it forever
                .setIdleTimeout(60).setIdleTimeoutUnit(TimeUnit.SECONDS);
        PoolOptions pool = new PoolOptions().setMaxSize(2).setMaxWaitQueueSize(16)
                .setIdleTimeout(5).setIdleTimeoutUnit(TimeUnit.MINUTES)
                .setName("replag-" + region);
        Supplier<Future<SqlConnectOptions>> options = iam == null
                ? () -> Future.succeededFuture(connect)
                : () -> iam.token(region, connect).map(token -> new PgConnectOptions(connect).setPassword(token));
        return PgBuilder.pool().with(pool).with(net).connectingTo(options).using(vertx).build();
    }

    private void applyTls(PgConnectOptions connect) {
        connect.setSslMode(switch (options.tls().mode()) {
            case "disable" -> SslMode.DISABLE;
            case "require" -> SslMode.REQUIRE;
            case "verify-ca" -> SslMode.VERIFY_CA;
            default -> SslMode.VERIFY_FULL;
        });
        SqlTrust.sslOptions(options.tls()).ifPresent(connect::setSslOptions);
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
        return pool(region).preparedQuery(write).execute(args).compose(rows -> rows.rowCount() == 1
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
    public Future<java.util.List<NativeLag>> readNativeLag(String sourceRegion, String targetRegion) {
        Future<java.util.List<NativeLag>> replay = pool(targetRegion).query(PostgresSql.NATIVE_REPLAY_LAG).execute().map(rows -> {
            Double lag = rows.iterator().next().getDouble("lag_seconds");
            return lag == null ? java.util.List.<NativeLag>of()
                    : java.util.List.of(new NativeLag(PostgresSql.NATIVE_SOURCE_METRIC, Math.max(0, lag)));
        });
        Future<java.util.List<NativeLag>> fromCloudWatch = cloudWatch == null
                ? Future.succeededFuture(java.util.List.of()) : cloudWatch.figures(targetRegion);
        return Future.all(replay, auroraGlobal(sourceRegion, targetRegion), fromCloudWatch).map(all -> {
            java.util.List<NativeLag> figures = new java.util.ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                figures.addAll(all.<java.util.List<NativeLag>>resultAt(i));
            }
            return figures;
        });
    }

    /** On an Aurora PostgreSQL global database's writer, its lag figures for the target's region; nothing elsewhere. */
    private Future<java.util.List<NativeLag>> auroraGlobal(String sourceRegion, String targetRegion) {
        if (noAuroraGlobal.contains(sourceRegion)) {
            return Future.succeededFuture(java.util.List.of());
        }
        return pool(sourceRegion).query(PostgresSql.AURORA_GLOBAL_STATUS).execute().map(rows -> {
            java.util.List<NativeLag> figures = new java.util.ArrayList<>();
            for (Row row : rows) {
                if (targetRegion.equals(row.getString("aws_region"))) {
                    Long rpo = row.getLong("rpo_lag_in_msec");
                    Long durability = row.getLong("durability_lag_in_msec");
                    if (rpo != null) {
                        figures.add(new NativeLag(AURORA_RPO_LAG, rpo / 1000.0));
                    }
                    if (durability != null) {
                        figures.add(new NativeLag(AURORA_DURABILITY_LAG, durability / 1000.0));
                    }
                }
            }
            return figures;
        }).recover(e -> {
            // 42883: no such function (not Aurora), 42501: not allowed; either way, not asked again
            if (e instanceof PgException pg && ("42883".equals(pg.getSqlState()) || "42501".equals(pg.getSqlState()))) {
                noAuroraGlobal.add(sourceRegion);
                return Future.succeededFuture(java.util.List.of());
            }
            return Future.failedFuture(e);
        });
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
        if (failure instanceof PgException pg && pg.getSqlState() != null) {
            String state = pg.getSqlState();
            return Optional.of(switch (state) {
                case "42P01" -> "table_missing";
                case "42501" -> "permission_denied";
                case "28P01", "28000" -> "auth_failed";
                case "3D000" -> "database_missing";
                case "25006" -> "read_only";
                case "57P01", "57P02", "57P03" -> "unavailable";
                case "53300" -> "too_many_connections";
                default -> state.startsWith("08") ? "connection_error" : "sql_" + state;
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
