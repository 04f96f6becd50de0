package io.replag.lab.mysql;

import io.replag.lab.LabStore;
import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;
import io.replag.lab.ObservedCanary;
import io.replag.lab.SqlObserver;
import io.replag.lab.distance.DelayProxy;
import io.replag.lab.distance.Geography;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;

/**
 * MySQL-protocol regions on this machine: Debian's MariaDB server, one {@code mariadbd} process
 * per region with its own data directory and port, the replicas replicating from the primary
 * with real binlog replication (GTID). A link's delay is the replica's {@code MASTER_DELAY}
 * (whole seconds, and not exact: MariaDB counts it from the event's whole-second timestamp, so
 * a row shows between about D-1 and D s after its write); a pause stops the replica's
 * SQL thread, so the binlog keeps arriving but is not applied, and the replica reports
 * {@code Seconds_Behind_Master} NULL, as a stopped replica does.
 */
public final class MariaDbLab implements LabStore {
    private static final Logger LOG = LoggerFactory.getLogger(MariaDbLab.class);
    /** The lab's own administrative login (all privileges, loopback only), also for tools run beside replag. */
    public static final String ADMIN = "lab";
    public static final String USER = "replag";
    public static final String PASSWORD = "replag-lab";
    public static final String DATABASE = "replag";

    /** Why the lab cannot run here, for the one line the demo prints. */
    public static final class Unavailable extends io.replag.lab.LabUnavailable {
        public Unavailable(String message) {
            super(message);
        }
    }

    private record Binaries(Path server, Path installDb) {
    }

    private static final class Link {
        long delayMs;
        boolean paused;
        /** MASTER_DELAY in force, in seconds. */
        long masterDelaySeconds;
        /** The binlog stream held back by this much on top of the distance (delays that are not whole seconds). */
        volatile long streamDelayMs;
    }

    private final Binaries binaries;
    private final String primary;
    private final Path root;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Process> processes = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Link> links = new LinkedHashMap<>();

    private final Geography geography;
    /** Replica region to the proxy its binlog stream crosses: the distance from the primary. */
    private final Map<String, DelayProxy> replicationDistance = new LinkedHashMap<>();

    private MariaDbLab(Binaries binaries, String primary, Path root, Geography geography) {
        this.binaries = binaries;
        this.primary = primary;
        this.root = root;
        this.geography = geography;
    }

    /**
     * Starts a primary and its replicas, each a fresh data directory, replicating.
     *
     * @throws Unavailable if the MariaDB server is not installed
     */
    public static MariaDbLab start(String primaryRegion, List<String> replicaRegions) throws Unavailable, IOException, SQLException {
        return start(primaryRegion, replicaRegions, Geography.NONE);
    }

    /** As {@link #start(String, List)}, each replica's binlog stream crossing the distance from the primary. */
    public static MariaDbLab start(String primaryRegion, List<String> replicaRegions, Geography geography)
            throws Unavailable, IOException, SQLException {
        Binaries binaries = locate();
        MariaDbLab lab = new MariaDbLab(binaries, primaryRegion, Files.createTempDirectory("replag-lab-mysql-"), geography);
        try {
            List<String> regions = new ArrayList<>();
            regions.add(primaryRegion);
            regions.addAll(replicaRegions);
            int serverId = 1;
            for (String region : regions) {
                lab.ports.put(region, io.replag.lab.Ports.free());
                lab.install(region, serverId++);
                lab.launch(region);
            }
            for (String replica : replicaRegions) {
                lab.links.put(replica, new Link());
                Link link = lab.links.get(replica);
                DelayProxy stream = new DelayProxy("mysql " + primaryRegion + "->" + replica, lab.ports.get(primaryRegion),
                        () -> geography.oneWayMicros(primaryRegion, replica) + link.streamDelayMs * 1_000);
                lab.replicationDistance.put(replica, stream);
                lab.sql(replica, "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + stream.port()
                        + ", MASTER_USER='repl', MASTER_PASSWORD='repl', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
                        "START SLAVE");
            }
            return lab;
        } catch (IOException | SQLException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private static Binaries locate() throws Unavailable {
        var server = io.replag.lab.ServerProcesses.onPath("mariadbd", "/usr/sbin", "/usr/local/sbin");
        var installDb = io.replag.lab.ServerProcesses.onPath("mariadb-install-db", "/usr/bin", "/usr/local/bin");
        if (server.isEmpty() || installDb.isEmpty()) {
            throw new Unavailable("MariaDB server not found (mariadbd, mariadb-install-db; Debian: apt-get install mariadb-server)");
        }
        return new Binaries(server.get(), installDb.get());
    }

    private Path dir(String region) {
        return root.resolve(region);
    }

    private void install(String region, int serverId) throws IOException {
        Path dir = Files.createDirectories(dir(region));
        run(List.of(binaries.installDb.toString(), "--no-defaults", "--datadir=" + dir.resolve("data"), "--user=" + System.getProperty("user.name"),
                "--auth-root-authentication-method=normal", "--skip-test-db"), dir.resolve("install.log"));
        // run at every start, outside the binlog: the users exist on every server without replicating
        Files.writeString(dir.resolve("init.sql"), String.join("\n",
                "SET sql_log_bin=0;",
                "CREATE DATABASE IF NOT EXISTS " + DATABASE + ";",
                "CREATE USER IF NOT EXISTS '" + ADMIN + "'@'%' IDENTIFIED BY '" + ADMIN + "';",
                "GRANT ALL ON *.* TO '" + ADMIN + "'@'%' WITH GRANT OPTION;",
                "CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "';",
                // DELETE for replag burst's cleanup (docs/burst.md); the canaries never delete
                "GRANT SELECT, INSERT, UPDATE, CREATE, DELETE ON " + DATABASE + ".* TO '" + USER + "'@'%';",
                "GRANT SLAVE MONITOR ON *.* TO '" + USER + "'@'%';",
                "CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'repl';",
                "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';",
                "SET sql_log_bin=1;", ""));
        Files.writeString(dir.resolve("server-id"), Integer.toString(serverId));
    }

    private void launch(String region) throws IOException {
        Path dir = dir(region);
        int port = ports.get(region);
        List<String> command = new ArrayList<>(List.of(binaries.server.toString(), "--no-defaults",
                "--datadir=" + dir.resolve("data"), "--port=" + port, "--bind-address=127.0.0.1",
                "--socket=" + dir.resolve("mariadb.sock"), "--pid-file=" + dir.resolve("mariadb.pid"),
                "--server-id=" + Files.readString(dir.resolve("server-id")).strip(), "--log-bin=" + dir.resolve("data/binlog"),
                "--binlog-format=ROW", "--user=" + System.getProperty("user.name"), "--skip-name-resolve", "--innodb-buffer-pool-size=16M",
                "--max-connections=50", "--init-file=" + dir.resolve("init.sql"), "--log-error=" + dir.resolve("error.log")));
        if (!region.equals(primary)) {
            command.addAll(List.of("--relay-log=" + dir.resolve("data/relay"), "--read-only"));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        processes.put(region, p);
        io.replag.lab.ServerProcesses.awaitPort("mariadbd", port, p, dir.resolve("error.log"));
        LOG.info("lab mysql {} (MariaDB {}) on 127.0.0.1:{}", region, region.equals(primary) ? "primary" : "replica", port);
    }

    private static void run(List<String> command, Path log) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " failed; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + command.get(0));
        }
    }

    private final SqlObserver observer = new SqlObserver(this::connect,
            "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '" + DATABASE + "' AND TABLE_NAME = 'replag_canary'",
            "SELECT agent, source_region, seq FROM " + DATABASE + ".replag_canary");

    @Override
    public List<ObservedCanary> observe(String region) throws SQLException {
        return observer.observe(region);
    }

    /** An administrative JDBC connection to a region's server, for tests and tools beside replag. */
    public Connection connect(String region) throws SQLException {
        Integer port = ports.get(region);
        if (port == null) {
            throw new NoSuchElementException("no mysql lab region " + region);
        }
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/?connectTimeout=2000&socketTimeout=10000",
                ADMIN, ADMIN);
    }

    private void sql(String region, String... statements) throws SQLException {
        try (Connection c = connect(region); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    @Override
    public String store() {
        return "mysql";
    }

    public String primaryRegion() {
        return primary;
    }

    /** Region to the port of its server. */
    public Map<String, Integer> ports() {
        return java.util.Collections.unmodifiableMap(ports);
    }

    @Override
    public synchronized List<LinkState> links() {
        List<LinkState> out = new ArrayList<>();
        links.forEach((replica, l) -> out.add(new LinkState(store(), primary, replica, l.delayMs, l.paused)
                .withDistance(geography.oneWayMicros(primary, replica) / 1000)));
        return out;
    }

    /** MASTER_DELAY counts whole seconds from the event's whole-second timestamp. */
    @Override
    public boolean exactDelays() {
        return false;
    }

    @Override
    public synchronized LinkState change(String source, String target, LinkChange change) throws SQLException {
        Link link = links.get(target);
        if (link == null || !source.equals(primary)) {
            throw new NoSuchElementException("no mysql lab link " + source + " -> " + target);
        }
        if (change.dropping().orElse(false)) {
            throw new IllegalArgumentException("dropping: the mysql lab cannot lose binlog events; pause the link instead");
        }
        if (change.jitterMs().orElse(0L) != 0) {
            throw new IllegalArgumentException("jitterMs: MariaDB applies after one fixed MASTER_DELAY; found " + change.jitterMs().get());
        }
        long delay = change.delayMs().orElse(link.delayMs);
        if (delay < 0) {
            throw new IllegalArgumentException("delayMs: must be >= 0, found " + delay);
        }
        boolean paused = change.paused().orElse(link.paused);
        if (delay != link.delayMs) {
            // whole seconds: MASTER_DELAY, as an operator would set it; the rest of a second holds the binlog
            // stream back, as a slow network does (a whole stream delay of seconds would outlast the server's connect timeout)
            long masterDelay = delay / 1000;
            if (masterDelay != link.masterDelaySeconds) {
                try {
                    sql(target, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY=" + masterDelay, link.paused ? "START SLAVE IO_THREAD" : "START SLAVE");
                } catch (SQLException e) {
                    // never leave the replica stopped behind a link that says it runs: restart it as it was, then report
                    try {
                        sql(target, link.paused ? "START SLAVE IO_THREAD" : "START SLAVE");
                    } catch (SQLException again) {
                        e.addSuppressed(again);
                    }
                    throw e;
                }
                link.masterDelaySeconds = masterDelay;
            }
            link.streamDelayMs = delay % 1000;
            link.delayMs = delay;
        }
        if (paused != link.paused) {
            sql(target, paused ? "STOP SLAVE SQL_THREAD" : "START SLAVE SQL_THREAD");
            link.paused = paused;
        }
        LOG.info("lab link mysql {} -> {}: delay {} ms, {}", source, target, delay, paused ? "paused (SQL thread stopped)" : "running");
        return new LinkState(store(), source, target, link.delayMs, link.paused).withDistance(geography.oneWayMicros(source, target) / 1000);
    }

    @Override
    public synchronized void stopRegion(String region) {
        Process p = processes.get(region);
        if (p == null) {
            throw new NoSuchElementException("no mysql lab region " + region);
        }
        io.replag.lab.ServerProcesses.stop(p);
        Link link = links.get(region);
        if (link != null) {
            link.paused = false; // a restarted replica starts its threads again
        }
        LOG.info("lab mysql {} stopped", region);
    }

    @Override
    public synchronized void startRegion(String region) throws IOException {
        Process p = processes.get(region);
        if (p == null) {
            throw new NoSuchElementException("no mysql lab region " + region);
        }
        if (!p.isAlive()) {
            launch(region);
        }
    }

    @Override
    public synchronized void close() {
        replicationDistance.values().forEach(DelayProxy::close);
        observer.close();
        processes.values().forEach(Process::destroy);
        processes.values().forEach(io.replag.lab.ServerProcesses::stop);
        if (!Boolean.getBoolean("replag.lab.keep")) {
            io.replag.lab.ServerProcesses.deleteTree(root, LOG);
        }
    }

}
