package io.replag.agent.sql;

import io.replag.agent.aws.AwsErrors;
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
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What the SQL stores share: a table of one row per (agent, source region) on the writer, read on
 * each replica, one small pool per region, and the native figures every engine has beside its
 * own (Aurora's global status on the writer, RDS's CloudWatch metrics). A subclass brings its
 * client (the pool), its SQL and its replica's own lag figure.
 */
public abstract class SqlCanaryStore implements CanaryStore {
    public static final String AURORA_RPO_LAG = "aurora_global_db_rpo_lag";
    public static final String AURORA_DURABILITY_LAG = "aurora_global_db_durability_lag";

    /** The SQL of one engine; the table name is validated as an identifier at config load. */
    public record Statements(String createTable, String write, String read, String auroraGlobalStatus) {
    }

    protected final SqlOptions options;
    private final Statements sql;
    private final Map<String, Pool> pools = new LinkedHashMap<>();
    /** RDS's CloudWatch figures, when identifiers are configured; null otherwise. */
    private final RdsCloudWatch cloudWatch;
    /** Writers without Aurora's global status (not Aurora global): not asked again. */
    private final Set<String> noAuroraGlobal = ConcurrentHashMap.newKeySet();

    protected SqlCanaryStore(Vertx vertx, ReplicationSet set, Statements sql) {
        this.options = (SqlOptions) set.options();
        this.sql = sql;
        RdsIamToken iam = options.iamAuth() ? new RdsIamToken(vertx) : null;
        this.cloudWatch = options.cloudWatch().isEmpty() ? null : new RdsCloudWatch(vertx, options.cloudWatch());
        set.endpoints().forEach((region, endpoint) -> pools.put(region, pool(vertx, region, endpoint, iam)));
    }

    /** The region's pool, built with {@link #netOptions()} and {@link #poolOptions(String)}; called from the constructor. */
    protected abstract Pool pool(Vertx vertx, String region, Endpoint endpoint, RdsIamToken iam);

    /** The replica's own lag figures (its replication status, replay position). */
    protected abstract Future<List<NativeLag>> replicaFigures(String targetRegion);

    /** True if the failure of the Aurora global status query means "not Aurora global here". */
    protected abstract boolean noAuroraGlobalStatus(Throwable failure);

    /** The engine's own reason for a database error; empty when it is none. */
    protected abstract Optional<String> databaseReason(Throwable failure);

    protected NetClientOptions netOptions() {
        return new NetClientOptions().setConnectTimeout((int) Math.max(1000, options.connectTimeout().toMillis()))
                // a server that stops answering on an open connection must not pin it forever
                .setIdleTimeout(60).setIdleTimeoutUnit(TimeUnit.SECONDS);
    }

    protected PoolOptions poolOptions(String name) {
        return new PoolOptions().setMaxSize(2).setMaxWaitQueueSize(16)
                .setIdleTimeout(5).setIdleTimeoutUnit(TimeUnit.MINUTES).setName(name);
    }

    protected Pool pool(String region) {
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
        return pool(region).query(sql.createTable()).execute().mapEmpty();
    }

    /** The write refuses a seq not above the stored one: no row changed is a stale canary. */
    @Override
    public Future<Void> write(String region, Canary canary) {
        Tuple args = Tuple.of(canary.key().agent(), canary.key().sourceRegion(), canary.seq(), canary.writtenAtMicros());
        return pool(region).preparedQuery(sql.write()).execute(args).compose(rows -> rows.rowCount() > 0
                ? Future.succeededFuture()
                : Future.failedFuture(new StaleSeqException("row holds a seq >= " + canary.seq())));
    }

    @Override
    public Future<Optional<Canary>> read(String region, CanaryKey key) {
        return pool(region).preparedQuery(sql.read()).execute(Tuple.of(key.agent(), key.sourceRegion())).map(rows -> {
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
        return Future.all(replicaFigures(targetRegion), auroraGlobal(sourceRegion, targetRegion), fromCloudWatch).map(all -> {
            List<NativeLag> figures = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                figures.addAll(all.<List<NativeLag>>resultAt(i));
            }
            return figures;
        });
    }

    /**
     * On an Aurora global database's writer, its lag figures for the target's region; nothing
     * elsewhere. The query's columns: region, durability lag and RPO lag in milliseconds.
     */
    private Future<List<NativeLag>> auroraGlobal(String sourceRegion, String targetRegion) {
        if (noAuroraGlobal.contains(sourceRegion)) {
            return Future.succeededFuture(List.of());
        }
        return pool(sourceRegion).query(sql.auroraGlobalStatus()).execute().map(rows -> {
            List<NativeLag> figures = new ArrayList<>();
            for (Row row : rows) {
                if (targetRegion.equals(String.valueOf(row.getValue(0)))) {
                    addMillis(figures, AURORA_RPO_LAG, row.getValue(2));
                    addMillis(figures, AURORA_DURABILITY_LAG, row.getValue(1));
                }
            }
            return figures;
        }).recover(e -> {
            if (noAuroraGlobalStatus(e)) {
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
        Optional<String> aws = AwsErrors.reason(failure, Map.of());
        if (aws.isPresent()) {
            return aws; // the CloudWatch part of the native figures
        }
        if (failure instanceof ClosedConnectionException) {
            return Optional.of("connection_closed");
        }
        return databaseReason(failure);
    }

    @Override
    public Future<Void> close() {
        if (cloudWatch != null) {
            cloudWatch.close();
        }
        return Future.join(pools.values().stream().map(Pool::close).toList()).mapEmpty();
    }
}
