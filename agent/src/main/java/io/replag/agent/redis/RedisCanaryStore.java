package io.replag.agent.redis;

import io.replag.agent.cloudwatch.Datapoint;
import io.replag.agent.cloudwatch.MinuteFetches;
import io.replag.agent.cloudwatch.NativeFigure;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.NativeLag;
import io.replag.agent.spi.Reason;
import io.replag.agent.spi.ServerTime;
import io.replag.agent.spi.Sighting;
import io.replag.agent.spi.StaleSeqException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisClusterConnectOptions;
import io.vertx.redis.client.RedisStandaloneConnectOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Redis and Valkey (ElastiCache Global Datastore, MemoryDB Multi-Region, self-managed
 * {@code REPLICAOF}): the canary is a hash written by one Lua script that never lowers its seq,
 * read in each region from that region's endpoint. Non-blocking: Vert.x's Redis client, one small
 * pool per region.
 *
 * <p>With server clocks, a write is timed by the script's two {@code TIME} readings and a read by
 * {@code TIME}, {@code HMGET}, {@code TIME} sent in one batch on one connection, which the server
 * runs in order: the snapshot lies between the two readings whatever the distance.
 *
 * <p>Native figures: {@code INFO replication} on both ends ({@code master_link_status}, and the
 * offset difference in bytes while both count the same stream), and the services' CloudWatch figures.
 */
public final class RedisCanaryStore implements CanaryStore {
    static final String LINK_STATUS = "master_link_status";
    static final String OFFSET_BEHIND = "master_repl_offset";

    private final Vertx vertx;
    private final ReplicationSet set;
    private final RedisOptions options;
    private final CanaryScript script;
    private final Map<String, Redis> clients = new ConcurrentHashMap<>();
    private final IamAuthToken iam;
    private final RedisLagSource cloudWatch;
    private final MinuteFetches<List<Datapoint>> cloudWatchFetches = new MinuteFetches<>();
    private volatile boolean closed;

    public RedisCanaryStore(Vertx vertx, ReplicationSet set, RedisOptions options) {
        this.vertx = vertx;
        this.set = set;
        this.options = options;
        this.script = new CanaryScript(options.scriptVariant());
        this.iam = options.iamAuth() ? new IamAuthToken(vertx, options.iamService()) : null;
        this.cloudWatch = options.cloudWatch().isEmpty() ? null
                : options.cloudWatchSource().orElseGet(() -> new CloudWatchRedisLag(vertx));
    }

    private Redis client(String region) {
        if (closed) {
            throw new IllegalStateException("store closed");
        }
        return clients.computeIfAbsent(region, this::newClient);
    }

    private Redis newClient(String region) {
        Endpoint endpoint = set.endpoints().get(region);
        if (endpoint == null) {
            throw new IllegalArgumentException("set \"" + set.name() + "\" has no region " + region);
        }
        NetClientOptions net = new NetClientOptions().setConnectTimeout(5_000).setTcpNoDelay(true);
        if (options.tls().enabled()) {
            net.setSsl(true);
            switch (options.tls().mode()) {
                case "require" -> net.setTrustAll(true).setHostnameVerificationAlgorithm("");
                default -> {
                    options.tls().caFile().ifPresent(ca -> net.setTrustOptions(new PemTrustOptions().addCertPath(ca)));
                    net.setHostnameVerificationAlgorithm("HTTPS");
                }
            }
        }
        int port = endpoint.port() == 0 ? 6379 : endpoint.port();
        io.vertx.redis.client.RedisOptions client = new io.vertx.redis.client.RedisOptions()
                .setType(options.cluster() ? RedisClientType.CLUSTER : RedisClientType.STANDALONE)
                .setConnectionString((options.tls().enabled() ? "rediss://" : "redis://") + endpoint.host() + ":" + port)
                .setNetClientOptions(net)
                // RESP2: INFO answers one plain string, as every server and service version does
                .setPreferredProtocolVersion(ProtocolVersion.RESP2)
                .setMaxPoolSize(4)
                .setMaxPoolWaiting(64)
                .setMaxWaitingHandlers(256);
        options.user().ifPresent(client::setUser);
        options.password().ifPresent(p -> client.setPassword(p.reveal()));
        if (iam == null) {
            return Redis.createClient(vertx, client);
        }
        String user = options.user().orElse("default");
        String cacheName = options.iamCacheName().getOrDefault(region, "");
        return options.cluster()
                ? Redis.createClusterClient(vertx, client, () -> iam.token(region, cacheName, user)
                        .map(token -> new RedisClusterConnectOptions(client).setUser(user).setPassword(token)))
                : Redis.createStandaloneClient(vertx, client, () -> iam.token(region, cacheName, user)
                        .map(token -> new RedisStandaloneConnectOptions(client).setUser(user).setPassword(token)));
    }

    @Override
    public Optional<io.replag.agent.spi.BurstRecords> burst() {
        return Optional.of(new RedisBurstRecords(options, this::client));
    }

    @Override
    public boolean serverClock() {
        return options.serverClock();
    }

    /**
     * Loads the write script, so that writes send only its SHA. A server that lost its script cache
     * (a restart, a failover) answers NOSCRIPT, a {@link Reason#missing} reason: the writer loads it
     * again. In cluster mode every write sends the script itself (EVAL), so there is nothing to load.
     */
    @Override
    public Future<Void> prepareWriter(String region) {
        if (options.cluster()) {
            return Future.succeededFuture();
        }
        return client(region).send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.text)).compose(sha -> sha.toString().equals(script.sha)
                ? Future.<Void>succeededFuture()
                : Future.failedFuture(new IllegalStateException("SCRIPT LOAD answered " + sha + ", expected " + script.sha)));
    }

    @Override
    public Future<ServerTime> write(String region, Canary canary) {
        Request request = options.cluster() ? Request.cmd(Command.EVAL).arg(script.text) : Request.cmd(Command.EVALSHA).arg(script.sha);
        request.arg(1).arg(options.key(canary.key()))
                .arg(canary.seq())
                .arg(options.serverClock() ? "" : Long.toString(canary.writtenAtMicros()))
                .arg(options.serverClock() ? options.serverClockErrorMicros() : canary.clockErrorMicros())
                .arg(canary.writer())
                .arg(canary.prevSeq())
                .arg(canary.prevCommittedMicros())
                .arg(Math.max(1, options.ttl().toMillis()));
        return client(region).send(request).compose(answer -> {
            if (answer.get(0).toInteger() == 0) {
                return Future.failedFuture(new StaleSeqException("key holds seq " + answer.get(1) + " >= " + canary.seq()));
            }
            return Future.succeededFuture(options.serverClock()
                    ? ServerTime.of(Long.parseLong(answer.get(1).toString()), Long.parseLong(answer.get(2).toString()),
                            options.serverClockErrorMicros())
                    : ServerTime.UNKNOWN);
        });
    }

    @Override
    public Future<Sighting> read(String region, CanaryKey key) {
        Request hmget = Request.cmd(Command.HMGET).arg(options.key(key));
        for (String field : CanaryScript.FIELDS.split(" ")) {
            hmget.arg(field);
        }
        if (!options.serverClock()) {
            return client(region).send(hmget).map(fields -> Sighting.of(canary(key, fields)));
        }
        return client(region).batch(List.of(Request.cmd(Command.TIME), hmget, Request.cmd(Command.TIME))).map(answers -> {
            ServerTime at = ServerTime.of(micros(answers.get(0)), micros(answers.get(2)), options.serverClockErrorMicros());
            return new Sighting(canary(key, answers.get(1)), at);
        });
    }

    private static long micros(Response time) {
        return Long.parseLong(time.get(0).toString()) * 1_000_000 + Long.parseLong(time.get(1).toString());
    }

    private static Optional<Canary> canary(CanaryKey key, Response fields) {
        if (fields == null || fields.size() < 6 || fields.get(0) == null) {
            return Optional.empty();
        }
        return Optional.of(new Canary(key, fields.get(0).toLong(), fields.get(1).toLong(), longOr(fields.get(2), 0),
                fields.get(3) == null ? "" : fields.get(3).toString(), longOr(fields.get(4), 0), longOr(fields.get(5), -1)));
    }

    private static long longOr(Response r, long otherwise) {
        return r == null ? otherwise : r.toLong();
    }

    @Override
    public Future<List<NativeLag>> readNativeLag(String sourceRegion, String targetRegion) {
        Future<List<NativeLag>> info = options.info() ? replicationFigures(sourceRegion, targetRegion) : Future.succeededFuture(List.of());
        Future<List<NativeLag>> fromCloudWatch = cloudWatchFigures(sourceRegion, targetRegion);
        return Future.all(info, fromCloudWatch).map(all -> {
            List<NativeLag> figures = new ArrayList<>(info.result());
            figures.addAll(fromCloudWatch.result());
            return figures;
        });
    }

    /**
     * {@code master_link_status} and the offset difference. A replica that does not answer while its
     * primary does cannot be replicating as far as anyone can tell: its link counts as stopped, never
     * as up (only in a set with one writer, where every target is a replica by configuration).
     */
    private Future<List<NativeLag>> replicationFigures(String sourceRegion, String targetRegion) {
        Future<ReplicationInfo> source = info(sourceRegion);
        Future<ReplicationInfo> target = info(targetRegion);
        return Future.join(source, target).transform(ar -> {
            if (target.failed()) {
                boolean oneWriter = set.sourceRegions().size() == 1;
                return source.succeeded() && source.result().primary() && oneWriter
                        ? Future.succeededFuture(List.of(NativeLag.state(LINK_STATUS, false)))
                        : Future.failedFuture(target.cause());
            }
            ReplicationInfo replica = target.result();
            List<NativeLag> figures = new ArrayList<>();
            replica.linkUp().filter(up -> replica.replica()).ifPresent(up -> figures.add(NativeLag.state(LINK_STATUS, up)));
            if (source.succeeded()) {
                replica.bytesBehind(source.result()).ifPresent(bytes -> figures.add(NativeLag.bytes(OFFSET_BEHIND, bytes)));
            }
            return Future.succeededFuture(figures);
        });
    }

    /**
     * The region's {@code INFO replication}. In cluster mode from the shard that holds the canaries:
     * a cluster client sends a command without a key to a node of its choosing, so INFO goes inside
     * a script keyed on the canaries' hash tag (read-only: it runs on a replica too), and the link
     * and offsets shown are those of the stream the canaries travel.
     */
    private Future<ReplicationInfo> info(String region) {
        Request request = options.cluster()
                ? Request.cmd(Command.EVAL).arg(INFO_SCRIPT).arg(1).arg(options.slotKey("info"))
                : Request.cmd(Command.INFO).arg("replication");
        return client(region).send(request).map(r -> ReplicationInfo.parse(r.toString()));
    }

    private static final String INFO_SCRIPT = "return redis.call('INFO', 'replication')";

    private Future<List<NativeLag>> cloudWatchFigures(String sourceRegion, String targetRegion) {
        if (cloudWatch == null) {
            return Future.succeededFuture(List.of());
        }
        List<Future<Optional<NativeLag>>> reads = new ArrayList<>();
        for (CloudWatchFigure figure : options.cloudWatch()) {
            if (figure.source().equals(sourceRegion) && figure.target().equals(targetRegion)) {
                reads.add(cloudWatchFetches.get(figure.source() + ">" + figure.target() + ">" + figure.metric(),
                        (from, to) -> cloudWatch.fetch(figure, from, to)).map(points -> {
                    OptionalDouble v = NativeFigure.current(points, Instant.now(), NativeFigure.MAX_AGE);
                    return v.isPresent()
                            ? Optional.of(new NativeLag(figure.metric().metricName(), v.getAsDouble() * figure.metric().toSeconds()))
                            : Optional.<NativeLag>empty();
                }));
            }
        }
        return Future.all(reads).map(all -> reads.stream().map(Future::result).flatMap(Optional::stream).toList());
    }

    /** The server's error words (the first word of its reply) as reasons; connection failures are the engine's. */
    @Override
    public Optional<Reason> errorReason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            // a cluster client that could not learn the slots says why after its own words: "Cannot connect ... - NOPERM ..."
            int said = message.indexOf(" - ");
            if (said >= 0 && message.startsWith("Cannot connect")) {
                message = message.substring(said + 3);
            }
            if (message.startsWith("NOSCRIPT")) {
                return Optional.of(Reason.missing("script_missing"));
            }
            if (message.startsWith("WRONGPASS") || message.startsWith("NOAUTH") || message.contains("invalid password")
                    || message.contains("invalid username-password")) {
                return Optional.of(Reason.AUTH_FAILED);
            }
            if (message.startsWith("NOPERM")) {
                return Optional.of(Reason.ACCESS_DENIED);
            }
            if (message.startsWith("READONLY")) {
                return Optional.of(Reason.of("read_only"));
            }
            if (message.startsWith("LOADING")) {
                return Optional.of(Reason.of("loading"));
            }
            if (message.startsWith("MASTERDOWN") || message.startsWith("CLUSTERDOWN")) {
                return Optional.of(Reason.of("replication_down"));
            }
        }
        return Optional.empty();
    }

    @Override
    public Future<Void> close() {
        closed = true;
        List<Future<Void>> closing = new ArrayList<>();
        clients.values().forEach(c -> closing.add(c.close()));
        clients.clear();
        if (cloudWatch != null && options.cloudWatchSource().isEmpty()) {
            cloudWatch.close();
        }
        return Future.join(closing).mapEmpty();
    }
}
