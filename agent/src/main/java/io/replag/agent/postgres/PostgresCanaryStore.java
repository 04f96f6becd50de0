package io.replag.agent.postgres;

import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.NativeLag;
import io.replag.agent.spi.StaleSeqException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
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

import javax.net.ssl.TrustManagerFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
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
    private final PostgresOptions options;
    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private final String createTable;
    private final String write;
    private final String read;

    public PostgresCanaryStore(Vertx vertx, ReplicationSet set) {
        this.options = (PostgresOptions) set.options();
        this.createTable = PostgresSql.createTable(options.table());
        this.write = PostgresSql.write(options.table());
        this.read = PostgresSql.read(options.table());
        RdsIamToken iam = options.iamAuth() ? new RdsIamToken(vertx) : null;
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
        var tls = options.tls();
        switch (tls.mode()) {
            case "disable" -> connect.setSslMode(SslMode.DISABLE);
            case "require" -> connect.setSslMode(SslMode.REQUIRE)
                    .setSslOptions(new ClientSSLOptions().setTrustAll(true));
            case "verify-ca", "verify-full" -> {
                ClientSSLOptions ssl = new ClientSSLOptions();
                ssl.setTrustOptions(tls.caFile().<TrustOptions>map(ca -> new PemTrustOptions().addCertPath(ca))
                        .orElseGet(PostgresCanaryStore::jvmDefaultTrust));
                if (tls.mode().equals("verify-full")) {
                    ssl.setHostnameVerificationAlgorithm("HTTPS");
                    connect.setSslMode(SslMode.VERIFY_FULL);
                } else {
                    ssl.setHostnameVerificationAlgorithm("");
                    connect.setSslMode(SslMode.VERIFY_CA);
                }
                connect.setSslOptions(ssl);
            }
            default -> throw new IllegalArgumentException("tls.mode: unknown mode " + tls.mode());
        }
    }

    /** The JVM's own trust store (no ca_file given). RDS certificates need the RDS bundle as ca_file. */
    private static TrustOptions jvmDefaultTrust() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            return TrustOptions.wrap(factory);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM's default trust store cannot be loaded", e);
        }
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
    public Future<Optional<NativeLag>> readNativeLag(String sourceRegion, String targetRegion) {
        return pool(targetRegion).query(PostgresSql.NATIVE_REPLAY_LAG).execute().map(rows -> {
            Double lag = rows.iterator().next().getDouble("lag_seconds");
            return lag == null ? Optional.empty()
                    : Optional.of(new NativeLag(PostgresSql.NATIVE_SOURCE_METRIC, Math.max(0, lag)));
        });
    }

    @Override
    public Optional<String> errorReason(Throwable failure) {
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
        return Future.join(pools.values().stream().map(Pool::close).toList()).mapEmpty();
    }
}
