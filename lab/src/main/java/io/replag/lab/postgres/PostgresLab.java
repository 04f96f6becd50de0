package io.replag.lab.postgres;

import io.replag.lab.LabStore;
import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;
import io.replag.lab.ObservedCanary;
import io.replag.lab.SqlObserver;
import io.replag.lab.distance.DelayProxy;
import io.replag.lab.distance.Geography;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A PostgreSQL primary and streaming replicas, one per region, as local processes (zonky's
 * embedded PostgreSQL 14). Replication is real physical streaming replication, built without
 * pg_basebackup: a non-exclusive backup taken over JDBC, the data directory copied, and the
 * backup label written into the copy, with a replication slot per replica so the primary keeps
 * the WAL the replica still needs.
 *
 * <p>A link's delay is the replica's {@code recovery_min_apply_delay}; pause is
 * {@code pg_wal_replay_pause()}, so WAL keeps arriving but is not applied, as in a stalled replica.
 */
public final class PostgresLab implements LabStore {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresLab.class);
    /** The canary table replag creates by default (SqlOptions.DEFAULT_TABLE), in the postgres database. */
    public static final String CANARY_TABLE = "replag_canary";
    private static final Set<String> NOT_COPIED = Set.of("postmaster.pid", "postmaster.opts", "epg-lock");

    private final Path workDir;
    private final String primaryRegion;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, EmbeddedPostgres> servers = new LinkedHashMap<>();
    private final Map<String, LinkState> links = new LinkedHashMap<>();
    private final Geography geography;
    /** Replica region to the proxy its WAL stream crosses: the distance from the primary. */
    private final Map<String, DelayProxy> replicationDistance = new LinkedHashMap<>();

    private PostgresLab(Path workDir, String primaryRegion, Geography geography) {
        this.workDir = workDir;
        this.primaryRegion = primaryRegion;
        this.geography = geography;
    }

    /** Starts the primary and one streaming replica per replica region. */
    public static PostgresLab start(String primaryRegion, List<String> replicaRegions) throws IOException, SQLException {
        return start(primaryRegion, replicaRegions, Geography.NONE);
    }

    /** As {@link #start(String, List)}, each replica's WAL stream crossing the distance from the primary. */
    public static PostgresLab start(String primaryRegion, List<String> replicaRegions, Geography geography) throws IOException, SQLException {
        PostgresLab lab = new PostgresLab(Files.createTempDirectory("replag-lab-postgres-"), primaryRegion, geography);
        try {
            lab.startPrimary();
            for (String replica : replicaRegions) {
                lab.startReplica(replica);
            }
            return lab;
        } catch (IOException | SQLException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    @Override
    public String store() {
        return "postgres";
    }

    public String primaryRegion() {
        return primaryRegion;
    }

    /** Region to port on 127.0.0.1, primary first. */
    public Map<String, Integer> ports() {
        return Map.copyOf(ports);
    }

    public int port(String region) {
        Integer port = ports.get(region);
        if (port == null) {
            throw new NoSuchElementException("no postgres lab region " + region);
        }
        return port;
    }

    private Path dataDir(String region) {
        return workDir.resolve(region);
    }

    private EmbeddedPostgres launch(String region, int port) throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDir(region))
                .setCleanDataDirectory(false)
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("wal_level", "replica")
                .setServerConfig("max_wal_senders", "10")
                .setServerConfig("max_replication_slots", "10")
                .setServerConfig("hot_standby", "on")
                .setServerConfig("hot_standby_feedback", "on")
                .setServerConfig("wal_receiver_status_interval", "1s")
                .setServerConfig("fsync", "off")
                // zonky turns synchronous_commit off: commits would then reach the WAL sender only
                // at the WAL writer's next round (200 ms), a delay RDS does not have
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "50")
                .setServerConfig("shared_buffers", "16MB")
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(workDir.resolve(region + ".log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(workDir.resolve(region + ".log").toFile()))
                .setRegisterShutdownHook(true)
                .start();
    }

    private void startPrimary() throws IOException {
        int port = io.replag.lab.Ports.free();
        ports.put(primaryRegion, port);
        servers.put(primaryRegion, launch(primaryRegion, port));
        LOG.info("lab postgres {} (primary) on 127.0.0.1:{}", primaryRegion, port);
    }

    private void startReplica(String region) throws IOException, SQLException {
        String slot = region.replaceAll("[^a-z0-9]", "_");
        Path target = dataDir(region);
        try (Connection c = connect(primaryRegion); Statement s = c.createStatement()) {
            s.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
            s.execute("SELECT pg_start_backup('replag-lab-" + region + "', true, false)");
            copyDataDir(dataDir(primaryRegion), target);
            try (ResultSet rs = s.executeQuery("SELECT labelfile FROM pg_stop_backup(false, true)")) {
                rs.next();
                Files.writeString(target.resolve("backup_label"), rs.getString(1));
            }
        }
        Files.writeString(target.resolve("standby.signal"), "");
        int streamFrom = port(primaryRegion);
        if (geography.enabled()) {
            DelayProxy distance = new DelayProxy("postgres " + primaryRegion + "->" + region, streamFrom,
                    () -> geography.oneWayMicros(primaryRegion, region));
            replicationDistance.put(region, distance);
            streamFrom = distance.port();
        }
        Files.writeString(target.resolve("postgresql.auto.conf"),
                "primary_conninfo = 'host=127.0.0.1 port=" + streamFrom
                        + " user=postgres application_name=" + region + "'\n"
                        + "primary_slot_name = '" + slot + "'\n",
                StandardOpenOption.APPEND);
        int port = io.replag.lab.Ports.free();
        ports.put(region, port);
        servers.put(region, launch(region, port));
        links.put(region, new LinkState(store(), primaryRegion, region, 0, false));
        awaitStreaming(region);
        LOG.info("lab postgres {} (replica of {}) on 127.0.0.1:{}", region, primaryRegion, port);
    }

    private void awaitStreaming(String region) throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = connect(primaryRegion); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_replication "
                         + "WHERE application_name = '" + region + "' AND state = 'streaming'")) {
                rs.next();
                if (rs.getInt(1) == 1) {
                    return;
                }
            }
            try {
                Thread.sleep(50); // polling an external process's state; bounded by the deadline above
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for " + region + " to stream");
            }
        }
        throw new SQLException("replica " + region + " did not start streaming within 30 s; see " + workDir.resolve(region + ".log"));
    }

    private static void copyDataDir(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir)));
                String name = dir.getFileName().toString();
                boolean contentsSkipped = !dir.equals(from) && (name.equals("pg_wal") || name.equals("pg_replslot"))
                        && dir.getParent().equals(from);
                return contentsSkipped ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!NOT_COPIED.contains(file.getFileName().toString())) {
                    try {
                        Files.copy(file, to.resolve(from.relativize(file)), StandardCopyOption.REPLACE_EXISTING);
                    } catch (NoSuchFileException gone) {
                        // a temporary file removed while copying: the backup label covers it
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
        Files.createDirectories(to.resolve("pg_wal"));
        Files.createDirectories(to.resolve("pg_replslot"));
        // PostgreSQL refuses a data directory others can read
        Files.setPosixFilePermissions(to, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    /** A superuser JDBC connection to the region's server (lab control only; never on an event loop). */
    public Connection connect(String region) throws SQLException {
        EmbeddedPostgres server = servers.get(region);
        if (server == null) {
            throw new SQLException("postgres lab region " + region + " is not running");
        }
        return server.getPostgresDatabase().getConnection();
    }

    private final SqlObserver observer = new SqlObserver(this::connect,
            "SELECT count(*) FROM information_schema.tables WHERE table_name = '" + CANARY_TABLE + "'",
            "SELECT agent, source_region, seq FROM " + CANARY_TABLE);

    @Override
    public List<ObservedCanary> observe(String region) throws SQLException {
        return observer.observe(region);
    }

    @Override
    public synchronized List<LinkState> links() {
        return links.values().stream().map(l -> l.withDistance(geography.oneWayMicros(l.source(), l.target()) / 1000)).toList();
    }

    @Override
    public synchronized LinkState change(String source, String target, LinkChange change) throws SQLException {
        LinkState link = links.get(target);
        if (link == null || !link.source().equals(source)) {
            throw new NoSuchElementException("no postgres lab link " + source + " -> " + target);
        }
        long delayMs = change.delayMs().orElse(link.delayMs());
        boolean paused = change.paused().orElse(link.paused());
        if (delayMs < 0) {
            throw new IllegalArgumentException("delayMs: must be >= 0, found " + delayMs);
        }
        if (change.dropping().orElse(false)) {
            throw new IllegalArgumentException("dropping: a PostgreSQL replica cannot skip WAL; use paused");
        }
        if (change.jitterMs().orElse(0L) != 0) {
            throw new IllegalArgumentException("jitterMs: a PostgreSQL replica applies WAL after one fixed delay (recovery_min_apply_delay); found "
                    + change.jitterMs().get());
        }
        try (Connection c = connect(target); Statement s = c.createStatement()) {
            if (delayMs != link.delayMs()) {
                s.execute("ALTER SYSTEM SET recovery_min_apply_delay = '" + delayMs + "ms'");
                s.execute("SELECT pg_reload_conf()");
            }
            if (paused != link.paused()) {
                s.execute(paused ? "SELECT pg_wal_replay_pause()" : "SELECT pg_wal_replay_resume()");
            }
        }
        LinkState updated = new LinkState(store(), source, target, delayMs, paused);
        links.put(target, updated);
        LOG.info("lab link postgres {} -> {}: delay {} ms, {}", source, target, delayMs, paused ? "paused" : "running");
        return updated.withDistance(geography.oneWayMicros(source, target) / 1000);
    }

    @Override
    public synchronized void stopRegion(String region) throws IOException {
        EmbeddedPostgres server = servers.remove(region);
        if (server != null) {
            server.close();
            LOG.info("lab postgres {} stopped", region);
        }
    }

    @Override
    public synchronized void startRegion(String region) throws IOException {
        if (!servers.containsKey(region)) {
            servers.put(region, launch(region, port(region)));
            LinkState link = links.get(region);
            if (link != null) {
                // a restarted replica replays again (pause does not survive a restart); the delay does, in postgresql.auto.conf
                links.put(region, new LinkState(link.store(), link.source(), link.target(), link.delayMs(), false));
            }
            LOG.info("lab postgres {} started", region);
        }
    }

    @Override
    public synchronized void close() {
        replicationDistance.values().forEach(DelayProxy::close);
        observer.close();
        List<String> regions = new ArrayList<>(servers.keySet());
        for (int i = regions.size() - 1; i >= 0; i--) {
            try {
                servers.remove(regions.get(i)).close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("lab postgres {}: stop failed: {}", regions.get(i), e.toString());
            }
        }
        if (Boolean.getBoolean("replag.lab.keep")) {
            LOG.info("lab postgres data and logs kept in {} (replag.lab.keep)", workDir);
        } else {
            deleteRecursively(workDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not delete lab directory {}: {}", dir, e.toString());
        }
    }

}
