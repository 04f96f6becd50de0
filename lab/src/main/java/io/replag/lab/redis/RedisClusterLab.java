package io.replag.lab.redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Redis Cluster on this machine: Debian's {@code redis-server}, one process per node, the 16,384
 * slots split evenly among them, no replicas. It serves replag's cluster mode (`cluster: true`) as a
 * cluster-mode configuration endpoint does: whichever node replag is given, its client learns the
 * slots and follows them. One cluster has no second region to replicate to, so a test gives two
 * regions two of its nodes: a canary is seen as soon as it is written, and what is tested is the
 * cluster client (slots, redirections, a shard that stops), not replication.
 *
 * <p>Every node requires a password; replag logs in as {@link RedisLab#USER} with the least rights
 * docs/configuration.md gives for cluster mode.
 */
public final class RedisClusterLab implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisClusterLab.class);
    /** The slots of a Redis Cluster. */
    static final int SLOTS = 16_384;

    private final Path server;
    private final Path root;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private RedisClusterLab(Path server, Path root) {
        this.server = server;
        this.root = root;
    }

    /**
     * Starts {@code nodes} nodes and makes them one cluster, every slot served.
     *
     * @throws RedisLab.Unavailable if {@code redis-server} is not installed
     */
    public static RedisClusterLab start(int nodes, String aclRules) throws RedisLab.Unavailable, IOException {
        Path server = io.replag.lab.ServerProcesses.onPath("redis-server", "/usr/bin", "/usr/local/bin", "/usr/sbin")
                .orElseThrow(() -> new RedisLab.Unavailable("Redis server not found (redis-server; Debian: apt-get install redis-server)"));
        RedisClusterLab lab = new RedisClusterLab(server, Files.createTempDirectory("replag-lab-redis-cluster-"));
        try {
            for (int i = 0; i < nodes; i++) {
                lab.ports.add(io.replag.lab.Ports.free());
                lab.configure(i, aclRules);
                lab.processes.add(null);
                lab.launch(i);
            }
            lab.form();
            return lab;
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    private Path dir(int node) {
        return root.resolve("node-" + node);
    }

    private void configure(int node, String aclRules) throws IOException {
        Path dir = Files.createDirectories(dir(node));
        List<String> conf = RedisLab.serverConf(ports.get(node), dir);
        conf.addAll(List.of(
                "appendonly no",
                "cluster-enabled yes",
                "cluster-config-file nodes.conf",
                // a stopped node is failed, and the cluster down, within seconds
                "cluster-node-timeout 2000",
                "requirepass " + RedisLab.ADMIN_PASSWORD,
                "masterauth " + RedisLab.ADMIN_PASSWORD,
                "user " + RedisLab.USER + " on >" + RedisLab.PASSWORD + " " + aclRules,
                "maxmemory 64mb"));
        Files.write(dir.resolve("redis.conf"), conf);
    }

    private void launch(int node) throws IOException {
        Process p = new ProcessBuilder(server.toString(), dir(node).resolve("redis.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir(node).resolve("stdout.log").toFile()).start();
        processes.set(node, p);
        io.replag.lab.ServerProcesses.awaitPort("redis-server", ports.get(node), p, dir(node).resolve("redis.log"));
        LOG.info("lab redis cluster node {} on 127.0.0.1:{}", node, ports.get(node));
    }

    /** Gives each node its share of the slots, introduces them, and waits until every node says the cluster is ok. */
    private void form() throws IOException {
        int n = ports.size();
        for (int i = 0; i < n; i++) {
            try (Resp r = admin(i)) {
                r.call("CLUSTER", "ADDSLOTSRANGE", Integer.toString(i == 0 ? 0 : lastSlot(i - 1) + 1), Integer.toString(lastSlot(i)));
                if (i > 0) {
                    r.call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(ports.get(0)));
                }
            }
        }
        for (int i = 0; i < n; i++) {
            awaitState(i, "ok", Duration.ofSeconds(30));
        }
    }

    /** The last slot node {@code node} serves: the slots are split evenly, in order. */
    private int lastSlot(int node) {
        return SLOTS * (node + 1) / ports.size() - 1;
    }

    /** Waits until node {@code node} reports {@code cluster_state:<state>}. */
    public void awaitState(int node, String state, Duration bound) throws IOException {
        long deadline = System.nanoTime() + bound.toNanos();
        String info = "";
        while (System.nanoTime() < deadline) {
            try (Resp r = admin(node)) {
                info = (String) r.call("CLUSTER", "INFO");
                if (info.contains("cluster_state:" + state)) {
                    return;
                }
            } catch (IOException e) {
                info = e.getMessage();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000); // polling a server's state; bounded by the deadline above
        }
        throw new IOException("redis cluster node " + node + " not " + state + " within " + bound.toSeconds() + " s: " + info);
    }

    /** The node serving the slot of {@code key}. */
    public int nodeOf(String key) throws IOException {
        try (Resp r = admin(0)) {
            long slot = (Long) r.call("CLUSTER", "KEYSLOT", key);
            int node = 0;
            while (slot > lastSlot(node)) {
                node++;
            }
            return node;
        }
    }

    /** How many times node {@code node} has run INFO (from a script too), this call not included. */
    public long infoCalls(int node) throws IOException {
        try (Resp r = admin(node)) {
            for (String line : ((String) r.call("INFO", "commandstats")).split("\r?\n")) {
                if (line.startsWith("cmdstat_info:calls=")) {
                    return Long.parseLong(line.substring("cmdstat_info:calls=".length(), line.indexOf(',')));
                }
            }
            return 0;
        }
    }

    private Resp admin(int node) throws IOException {
        return new Resp(ports.get(node), RedisLab.ADMIN_PASSWORD);
    }

    public synchronized void stopNode(int node) {
        io.replag.lab.ServerProcesses.stop(processes.get(node));
        LOG.info("lab redis cluster node {} stopped", node);
    }

    /** Starts a stopped node again; it rejoins with the slots its nodes.conf remembers. */
    public synchronized void startNode(int node) throws IOException {
        if (!processes.get(node).isAlive()) {
            launch(node);
        }
    }

    @Override
    public synchronized void close() {
        processes.stream().filter(p -> p != null).forEach(Process::destroy);
        processes.stream().filter(p -> p != null).forEach(io.replag.lab.ServerProcesses::stop);
        io.replag.lab.ServerProcesses.deleteTree(root, LOG);
    }
}
