package io.replag.lab.mysql;

import io.replag.lab.LabStore;
import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
    public static final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message);
        }
    }

    private record Binaries(Path server, Path installDb) {
    }

    private static final class Link {
        long delayMs;
        boolean paused;
    }

    private final Binaries binaries;
    private final String primary;
    private final Path root;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Process> processes = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Link> links = new LinkedHashMap<>();

    private MariaDbLab(Binaries binaries, String primary, Path root) {
        this.binaries = binaries;
        this.primary = primary;
        this.root = root;
    }

    /**
     * Starts a primary and its replicas, each a fresh data directory, replicating.
     *
     * @throws Unavailable if the MariaDB server is not installed
     */
    public static MariaDbLab start(String primaryRegion, List<String> replicaRegions) throws Unavailable, IOException, SQLException {
        Binaries binaries = locate();
        MariaDbLab lab = new MariaDbLab(binaries, primaryRegion, Files.createTempDirectory("replag-lab-mysql-"));
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
                lab.sql(replica, "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + lab.ports.get(primaryRegion)
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
        Path server = onPath("mariadbd", "/usr/sbin", "/usr/local/sbin");
        Path installDb = onPath("mariadb-install-db", "/usr/bin", "/usr/local/bin");
        if (server == null || installDb == null) {
            throw new Unavailable("MariaDB server not found (mariadbd, mariadb-install-db; Debian: apt-get install mariadb-server)");
        }
        return new Binaries(server, installDb);
    }

    private static Path onPath(String tool, String... extra) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of(extra));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, tool)).filter(Files::isExecutable).findFirst().orElse(null);
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
                "GRANT SELECT, INSERT, UPDATE, CREATE ON " + DATABASE + ".* TO '" + USER + "'@'%';",
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
        awaitPort(port, p, dir.resolve("error.log"));
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

    private static void awaitPort(int port, Process p, Path log) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("mariadbd exited at start; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000); // bounded by the deadline above
            }
        }
        throw new IOException("mariadbd did not listen on " + port + " within 30 s; see " + log);
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
        links.forEach((replica, l) -> out.add(new LinkState(store(), primary, replica, l.delayMs, l.paused)));
        return out;
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
        long delay = change.delayMs().orElse(link.delayMs);
        if (delay < 0 || delay % 1000 != 0) {
            throw new IllegalArgumentException("delayMs: MariaDB's MASTER_DELAY counts whole seconds: give a multiple of 1000 (>= 0), found " + delay);
        }
        boolean paused = change.paused().orElse(link.paused);
        if (delay != link.delayMs) {
            sql(target, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY=" + delay / 1000, link.paused ? "START SLAVE IO_THREAD" : "START SLAVE");
            link.delayMs = delay;
        }
        if (paused != link.paused) {
            sql(target, paused ? "STOP SLAVE SQL_THREAD" : "START SLAVE SQL_THREAD");
            link.paused = paused;
        }
        LOG.info("lab link mysql {} -> {}: delay {} ms, {}", source, target, delay, paused ? "paused (SQL thread stopped)" : "running");
        return new LinkState(store(), source, target, link.delayMs, link.paused);
    }

    @Override
    public synchronized void stopRegion(String region) {
        Process p = processes.get(region);
        if (p == null) {
            throw new NoSuchElementException("no mysql lab region " + region);
        }
        p.destroy();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!Boolean.getBoolean("replag.lab.keep")) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                LOG.debug("lab mysql cleanup: {}", e.toString());
            }
        }
    }

}
