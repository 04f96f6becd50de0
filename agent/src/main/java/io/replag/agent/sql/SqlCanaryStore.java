package io.replag.agent.sql;

import io.replag.agent.spi.Reason;
import io.replag.agent.aws.AwsErrors;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.NativeLag;
import io.replag.agent.spi.ServerTime;
import io.replag.agent.spi.Sighting;
import io.replag.agent.spi.StaleSeqException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.ClientBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnectOptions;
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
import java.util.function.Supplier;

/**
 * What the SQL stores share: a table of one row per (agent, source region) on the writer, read on
 * each replica, one small pool per region, and the native figures every engine has beside its
 * own (Aurora's global status on the writer, RDS's CloudWatch metrics). A subclass brings its
 * client (the pool), its SQL and its replica's own lag figure.
 */
public abstract class SqlCanaryStore implements CanaryStore {
    public static final String AURORA_RPO_LAG = "aurora_global_db_rpo_lag";
    public static final String AURORA_DURABILITY_LAG = "aurora_global_db_durability_lag";

    /**
     * The SQL of one engine; the table name is validated as an identifier at config load.
     *
     * @param writeServerTimed as write, with three parameters: the server stamps written_at_us itself
     * @param nowMicros the server's clock in µs, read just before and just after each write
     * @param readTimed the canary and the row that bounds its predecessor's commit, between two readings of
     *                  the server's clock: columns t_from, seq, written_at_us, prev_seq, prev_committed_us, t_to;
     *                  parameters from {@link SqlCanaryStore#readTimedArgs}
     */
    public record Statements(String createTable, String write, String writeServerTimed, String read, String auroraGlobalStatus,
                             String nowMicros, String readTimed) {
    }

    /** Where a writer records when its previous canary had committed: a second row of the same table, no new column. */
    public static String committedRow(String sourceRegion) {
        return sourceRegion + "#committed";
    }

    /** The parameters of {@link Statements#readTimed} for a canary key. */
    protected abstract Tuple readTimedArgs(CanaryKey key);

    protected final SqlOptions options;
    private final Statements sql;
    private final Map<String, Pool> pools = new LinkedHashMap<>();
    /** Per region, one pipelined connection for canary reads: reads of a far region overlap instead of queueing. */
    private final Map<String, SqlClient> readers = new LinkedHashMap<>();
    /** The burst's own pipelined clients, made on its first use: a burst never queues the canary's calls. */
    private final Map<String, SqlClient> burstClients = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Future<SqlConnectOptions>>> connects = new LinkedHashMap<>();
    private final Vertx vertx;
    private final String storeKey;
    /** RDS's CloudWatch figures, when identifiers are configured; null otherwise. */
    private final RdsCloudWatch cloudWatch;
    /** Writers without Aurora's global status (not Aurora global): not asked again. */
    private final Set<String> noAuroraGlobal = ConcurrentHashMap.newKeySet();

    protected SqlCanaryStore(Vertx vertx, ReplicationSet set, SqlOptions options, Statements sql) {
        this.options = options;
        this.sql = sql;
        this.vertx = vertx;
        this.storeKey = set.store();
        RdsIamToken iam = options.iamAuth() ? new RdsIamToken(vertx) : null;
        this.cloudWatch = options.cloudWatch().isEmpty() ? null : new RdsCloudWatch(vertx, options.cloudWatch());
        set.endpoints().forEach((region, endpoint) -> {
            Supplier<Future<SqlConnectOptions>> connect = connectOptions(region, endpoint, iam);
            connects.put(region, connect);
            pools.put(region, poolBuilder().with(poolOptions("replag-" + set.store() + "-" + region)).with(netOptions())
                    .connectingTo(connect).using(vertx).build());
            readers.put(region, clientBuilder().with(poolOptions("replag-" + set.store() + "-reads-" + region)).with(netOptions())
                    .connectingTo(connect).using(vertx).build());
        });
    }

    /** How to connect to the region's endpoint (a fresh IAM token each time, where used); called from the constructor. */
    protected abstract Supplier<Future<SqlConnectOptions>> connectOptions(String region, Endpoint endpoint, RdsIamToken iam);

    /** The engine's pool builder (writes, native figures). */
    protected abstract ClientBuilder<Pool> poolBuilder();

    /** The engine's pipelined client builder (canary reads). */
    protected abstract ClientBuilder<SqlClient> clientBuilder();

    /** The engine's marker for the n-th statement parameter, from 1. */
    protected abstract String placeholder(int n);

    /** The replica's own lag figures (its replication status, replay position). */
    protected abstract Future<List<NativeLag>> replicaFigures(String targetRegion);

    /** True if the failure of the Aurora global status query means "not Aurora global here". */
    protected abstract boolean noAuroraGlobalStatus(Throwable failure);

    /** The engine's own reason for a database error; empty when it is none. */
    protected abstract Optional<Reason> databaseReason(Throwable failure);

    protected NetClientOptions netOptions() {
        return new NetClientOptions().setConnectTimeout((int) Math.max(1000, options.connectTimeout().toMillis()))
                // a server that stops answering on an open connection must not pin it forever
                .setIdleTimeout(60).setIdleTimeoutUnit(TimeUnit.SECONDS);
    }

    /** One connection each for writes and native figures, and for canary reads: two per endpoint. */
    protected PoolOptions poolOptions(String name) {
        return new PoolOptions().setMaxSize(1).setMaxWaitQueueSize(16)
                .setIdleTimeout(5).setIdleTimeoutUnit(TimeUnit.MINUTES).setName(name);
    }

    protected Pool pool(String region) {
        Pool pool = pools.get(region);
        if (pool == null) {
            throw new IllegalArgumentException("no endpoint for region " + region);
        }
        return pool;
    }

    private SqlClient reader(String region) {
        SqlClient reader = readers.get(region);
        if (reader == null) {
            throw new IllegalArgumentException("no endpoint for region " + region);
        }
        return reader;
    }

    @Override
    public Future<Void> prepareWriter(String region) {
        if (!options.createTable()) {
            return Future.succeededFuture();
        }
        return pool(region).query(sql.createTable()).execute().mapEmpty();
    }

    @Override
    public boolean serverClock() {
        return options.serverClock();
    }

    /**
     * The write refuses a seq not above the stored one: no row changed is a stale canary. With
     * server clocks, the server's clock is read just before and just after it, pipelined on the same
     * connection in one round trip: the commit lies between the two readings whatever the distance.
     */
    @Override
    public Future<ServerTime> write(String region, Canary canary) {
        if (!options.serverClock()) {
            Tuple args = Tuple.of(canary.key().agent(), canary.key().sourceRegion(), canary.seq(), canary.writtenAtMicros());
            return pool(region).preparedQuery(sql.write()).execute(args).compose(rows -> written(rows.rowCount(), canary, ServerTime.UNKNOWN));
        }
        Tuple args = Tuple.of(canary.key().agent(), canary.key().sourceRegion(), canary.seq());
        return pool(region).withConnection(conn -> {
            Future<Long> before = conn.preparedQuery(sql.nowMicros()).execute().map(SqlCanaryStore::firstLong);
            Future<Integer> rows = conn.preparedQuery(sql.writeServerTimed()).execute(args).map(r -> r.rowCount());
            Future<Long> after = conn.preparedQuery(sql.nowMicros()).execute().map(SqlCanaryStore::firstLong);
            // for an agent in another region, which cannot see this write's answer: the previous canary's commit, bounded
            Future<Integer> previous = canary.boundsPrevious()
                    ? conn.preparedQuery(sql.write()).execute(Tuple.of(canary.key().agent(), committedRow(canary.key().sourceRegion()),
                            canary.prevSeq(), canary.prevCommittedMicros())).map(r -> r.rowCount())
                    : Future.succeededFuture(0);
            return Future.all(before, rows, after, previous).compose(all -> written(rows.result(), canary,
                    ServerTime.of(before.result(), after.result(), options.serverClockErrorMicros())));
        });
    }

    private static Future<ServerTime> written(int rowCount, Canary canary, ServerTime at) {
        return rowCount > 0 ? Future.succeededFuture(at) : Future.failedFuture(new StaleSeqException("row holds a seq >= " + canary.seq()));
    }

    private static long firstLong(io.vertx.sqlclient.RowSet<Row> rows) {
        return rows.iterator().next().getLong(0);
    }

    @Override
    public Future<Sighting> read(String region, CanaryKey key) {
        Tuple args = Tuple.of(key.agent(), key.sourceRegion());
        if (!options.serverClock()) {
            return reader(region).preparedQuery(sql.read()).execute(args).map(rows -> {
                var it = rows.iterator();
                return Sighting.of(it.hasNext() ? Optional.of(canary(key, it.next())) : Optional.empty());
            });
        }
        return reader(region).preparedQuery(sql.readTimed()).execute(readTimedArgs(key)).map(rows -> {
            Row row = rows.iterator().next();
            ServerTime at = ServerTime.of(row.getLong("t_from"), row.getLong("t_to"), options.serverClockErrorMicros());
            if (row.getValue("seq") == null) {
                return new Sighting(Optional.empty(), at);
            }
            boolean previous = row.getValue("prev_seq") != null;
            return new Sighting(Optional.of(new Canary(key, row.getLong("seq"), row.getLong("written_at_us"), options.serverClockErrorMicros(),
                    "", previous ? row.getLong("prev_seq") : 0, previous ? row.getLong("prev_committed_us") : -1)), at);
        });
    }

    private static Canary canary(CanaryKey key, Row row) {
        return new Canary(key, row.getLong("seq"), row.getLong("written_at_us"));
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
    public Optional<Reason> errorReason(Throwable failure) {
        Optional<Reason> aws = AwsErrors.reason(failure, Map.of());
        if (aws.isPresent()) {
            return aws; // the CloudWatch part of the native figures
        }
        if (failure instanceof ClosedConnectionException) {
            return Optional.of(Reason.CONNECTION_CLOSED);
        }
        return databaseReason(failure);
    }

    @Override
    public Optional<io.replag.agent.spi.BurstRecords> burst() {
        return Optional.of(new SqlBurstRecords(options.table(), this::placeholder, this::burstClient));
    }

    private SqlClient burstClient(String region) {
        if (!connects.containsKey(region)) {
            throw new IllegalArgumentException("no endpoint for region " + region);
        }
        return burstClients.computeIfAbsent(region, r -> clientBuilder()
                .with(new PoolOptions().setMaxSize(2).setMaxWaitQueueSize(256).setName("replag-" + storeKey + "-burst-" + r))
                .with(netOptions()).connectingTo(connects.get(r)).using(vertx).build());
    }

    @Override
    public Future<Void> close() {
        if (cloudWatch != null) {
            cloudWatch.close();
        }
        List<Future<Void>> closed = new ArrayList<>();
        pools.values().forEach(p -> closed.add(p.close()));
        readers.values().forEach(r -> closed.add(r.close()));
        burstClients.values().forEach(b -> closed.add(b.close()));
        return Future.join(closed).mapEmpty();
    }
}
