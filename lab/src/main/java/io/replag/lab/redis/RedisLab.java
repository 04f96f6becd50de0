package io.replag.lab.redis;

import io.replag.lab.LabStore;
import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;
import io.replag.lab.ObservedCanary;
import io.replag.lab.distance.DelayProxy;
import io.replag.lab.distance.Gate;
import io.replag.lab.distance.Geography;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Redis regions on this machine: Debian's {@code redis-server}, one process per region with its
 * own directory and port, the replicas replicating from the primary with {@code REPLICAOF}, as a
 * Global Datastore's secondaries do. Each replica's replication stream crosses a
 * {@link DelayProxy}: the distance from the primary, plus the link's delay on what the primary
 * sends; a pause holds that stream (nothing lost: it all arrives on resume, late). Redis sends a
 * write to its replicas as it applies it, so a link's delay is exact to the millisecond.
 *
 * <p>Every server requires a password; replag logs in as {@link #USER}, an ACL user with only what
 * replag needs on the canary keys (the same rules docs/configuration.md gives for production).
 * Data is kept in an append-only file, so a stopped region starts again with its canaries.
 */
public final class RedisLab implements LabStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisLab.class);
    public static final String USER = "replag";
    public static final String PASSWORD = "replag-lab";
    /** The default user's password: the lab's own control, and the replicas' login to the primary. */
    static final String ADMIN_PASSWORD = "lab-admin";
    /** replag's least rights: its scripts' commands are checked against them too. */
    public static final String ACL_RULES = "~replag:* resetchannels -@all +evalsha +eval +script|load +cluster|slots +hmget +hget +hset +pexpire +time +info";
    /** The canary keys' prefix and hash tag as replag writes them by default. */
    static final String CANARY_KEYS = "replag:{replag}:";

    /** Why the lab cannot run here, for the one line the demo prints. */
    public static final class Unavailable extends io.replag.lab.LabUnavailable {
        public Unavailable(String message) {
            super(message);
        }
    }

    private static final class Link {
        volatile long delayMs;
        final Gate stream = new Gate();
    }

    private final Path server;
    private final String primary;
    private final Path root;
    private final Geography geography;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Process> processes = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Link> links = new LinkedHashMap<>();
    /** Replica region to the proxy its replication stream crosses. */
    private final Map<String, DelayProxy> replicationStreams = new LinkedHashMap<>();

    private RedisLab(Path server, String primary, Path root, Geography geography) {
        this.server = server;
        this.primary = primary;
        this.root = root;
        this.geography = geography;
    }

    /**
     * Starts a primary and its replicas, each with a fresh directory, replicating.
     *
     * @throws Unavailable if {@code redis-server} is not installed
     */
    public static RedisLab start(String primaryRegion, List<String> replicaRegions, Geography geography) throws Unavailable, IOException {
        Path server = locate();
        RedisLab lab = new RedisLab(server, primaryRegion, Files.createTempDirectory("replag-lab-redis-"), geography);
        try {
            lab.ports.put(primaryRegion, io.replag.lab.Ports.free());
            lab.configure(primaryRegion, null);
            lab.launch(primaryRegion);
            for (String replica : replicaRegions) {
                Link link = new Link();
                lab.links.put(replica, link);
                DelayProxy stream = new DelayProxy("redis " + primaryRegion + "->" + replica, lab.ports.get(primaryRegion),
                        () -> geography.oneWayMicros(primaryRegion, replica),
                        () -> geography.oneWayMicros(primaryRegion, replica) + link.delayMs * 1_000, link.stream);
                lab.replicationStreams.put(replica, stream);
                lab.ports.put(replica, io.replag.lab.Ports.free());
                lab.configure(replica, stream.port());
                lab.launch(replica);
            }
            for (String replica : replicaRegions) {
                lab.awaitLinkUp(replica);
            }
            return lab;
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private static Path locate() throws Unavailable {
        return io.replag.lab.ServerProcesses.onPath("redis-server", "/usr/bin", "/usr/local/bin", "/usr/sbin")
                .orElseThrow(() -> new Unavailable("Redis server not found (redis-server; Debian: apt-get install redis-server)"));
    }

    private Path dir(String region) {
        return root.resolve(region);
    }

    /** The region's redis.conf; a replica's names the proxy its replication stream crosses. */
    private void configure(String region, Integer streamPort) throws IOException {
        Path dir = Files.createDirectories(dir(region));
        List<String> conf = serverConf(ports.get(region), dir);
        conf.addAll(List.of(
                "appendonly yes",
                "appendfsync everysec",
                "requirepass " + ADMIN_PASSWORD,
                "user " + USER + " on >" + PASSWORD + " " + ACL_RULES,
                // the replicas' first sync starts at once, not after the default wait for more replicas
                "repl-diskless-sync-delay 0",
                // a paused link holds the stream for as long as the test wants: no timeout breaks it
                "repl-timeout 3600",
                "maxmemory 64mb"));
        if (streamPort != null) {
            conf.addAll(List.of("replicaof 127.0.0.1 " + streamPort, "masterauth " + ADMIN_PASSWORD, "replica-read-only yes"));
        }
        Files.write(dir.resolve("redis.conf"), conf);
    }

    /** What every lab server's redis.conf says first: where it listens and keeps its files, in the foreground, no snapshots. */
    static List<String> serverConf(int port, Path dir) {
        return new ArrayList<>(List.of(
                "port " + port,
                "bind 127.0.0.1",
                "dir " + dir,
                "logfile " + dir.resolve("redis.log"),
                "daemonize no",
                "save \"\""));
    }

    private void launch(String region) throws IOException {
        Path dir = dir(region);
        Process p = new ProcessBuilder(server.toString(), dir.resolve("redis.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        processes.put(region, p);
        io.replag.lab.ServerProcesses.awaitPort("redis-server", ports.get(region), p, dir.resolve("redis.log"));
        LOG.info("lab redis {} ({}) on 127.0.0.1:{}", region, region.equals(primary) ? "primary" : "replica of " + primary, ports.get(region));
    }

    private void awaitLinkUp(String replica) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (info(replica).contains("master_link_status:up")) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // polling a server's state; bounded by the deadline above
        }
        throw new IOException("replica " + replica + " did not link to its primary within 30 s; see " + dir(replica).resolve("redis.log"));
    }

    /** The region's {@code INFO replication}, read as the lab's administrator. */
    public String info(String region) throws IOException {
        try (Resp r = admin(region)) {
            return (String) r.call("INFO", "replication");
        }
    }

    private Resp admin(String region) throws IOException {
        Integer port = ports.get(region);
        if (port == null) {
            throw new NoSuchElementException("no redis lab region " + region);
        }
        return new Resp(port, ADMIN_PASSWORD);
    }

    @Override
    public String store() {
        return "redis";
    }

    public String primaryRegion() {
        return primary;
    }

    @Override
    public Map<String, Integer> ports() {
        return java.util.Collections.unmodifiableMap(ports);
    }

    /** Every canary under replag's default key prefix, read with SCAN and HMGET. */
    @Override
    public List<ObservedCanary> observe(String region) throws IOException {
        List<ObservedCanary> out = new ArrayList<>();
        try (Resp r = admin(region)) {
            String cursor = "0";
            do {
                @SuppressWarnings("unchecked")
                List<Object> page = (List<Object>) r.call("SCAN", cursor, "MATCH", CANARY_KEYS + "*", "COUNT", "1000");
                cursor = (String) page.get(0);
                @SuppressWarnings("unchecked")
                List<Object> keys = (List<Object>) page.get(1);
                for (Object key : keys) {
                    String k = ((String) key).substring(CANARY_KEYS.length());
                    int cut = k.lastIndexOf(':');
                    Object seq = r.call("HGET", (String) key, "seq");
                    if (cut > 0 && seq != null) {
                        out.add(new ObservedCanary(k.substring(0, cut), k.substring(cut + 1), Long.parseLong((String) seq)));
                    }
                }
            } while (!cursor.equals("0"));
        }
        return out;
    }

    @Override
    public synchronized List<LinkState> links() {
        List<LinkState> out = new ArrayList<>();
        links.forEach((replica, l) -> out.add(new LinkState(store(), primary, replica, l.delayMs, !l.stream.isOpen())
                .withDistance(geography.oneWayMicros(primary, replica) / 1000)));
        return out;
    }

    @Override
    public synchronized LinkState change(String source, String target, LinkChange change) {
        Link link = links.get(target);
        if (link == null || !source.equals(primary)) {
            throw new NoSuchElementException("no redis lab link " + source + " -> " + target);
        }
        if (change.dropping().orElse(false)) {
            throw new IllegalArgumentException("dropping: a Redis replica cannot skip part of its replication stream; use paused");
        }
        if (change.jitterMs().orElse(0L) != 0) {
            throw new IllegalArgumentException("jitterMs: the redis lab delays its replication stream by one fixed delay; found "
                    + change.jitterMs().get());
        }
        long delay = change.delayMs().orElse(link.delayMs);
        if (delay < 0) {
            throw new IllegalArgumentException("delayMs: must be >= 0, found " + delay);
        }
        link.delayMs = delay;
        change.paused().ifPresent(paused -> link.stream.open(!paused));
        LOG.info("lab link redis {} -> {}: delay {} ms, {}", source, target, delay, link.stream.isOpen() ? "running" : "paused (stream held)");
        return new LinkState(store(), source, target, link.delayMs, !link.stream.isOpen()).withDistance(geography.oneWayMicros(source, target) / 1000);
    }

    /** A link's delay and pause, for the lab's CloudWatch figures. */
    synchronized java.util.Optional<LinkState> link(String source, String target) {
        return links().stream().filter(l -> l.source().equals(source) && l.target().equals(target)).findFirst();
    }

    boolean running(String region) {
        Process p = processes.get(region);
        return p != null && p.isAlive();
    }

    @Override
    public synchronized void stopRegion(String region) {
        Process p = processes.get(region);
        if (p == null) {
            throw new NoSuchElementException("no redis lab region " + region);
        }
        io.replag.lab.ServerProcesses.stop(p);
        LOG.info("lab redis {} stopped", region);
    }

    @Override
    public synchronized void startRegion(String region) throws IOException {
        Process p = processes.get(region);
        if (p == null) {
            throw new NoSuchElementException("no redis lab region " + region);
        }
        if (!p.isAlive()) {
            launch(region);
        }
    }

    @Override
    public synchronized void close() {
        replicationStreams.values().forEach(DelayProxy::close);
        processes.values().forEach(Process::destroy);
        processes.values().forEach(io.replag.lab.ServerProcesses::stop);
        if (Boolean.getBoolean("replag.lab.keep")) {
            LOG.info("lab redis data and logs kept in {} (replag.lab.keep)", root);
            return;
        }
        io.replag.lab.ServerProcesses.deleteTree(root, LOG);
    }
}
