package io.replag.lab.dynamodb;

import io.replag.lab.Fault;
import io.replag.lab.FaultProxies;
import io.replag.lab.FaultProxy;
import io.replag.lab.Ports;
import io.replag.lab.QueuedLink;
import io.replag.lab.LabStore;
import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * DynamoDB regions on this machine: one dynalite (npm, in-memory) process per region, each with
 * the same table. dynalite has no global tables (nor streams), so the lab's links replicate: each
 * region's fault proxy taps the writes dynalite acknowledged (PutItem, BatchWriteItem, DeleteItem;
 * UpdateItem by reading the item back), as DynamoDB Streams would show them, and queues each for
 * every other region, where it is applied when its link's delay has passed, unless the link is
 * paused, or lost if the link is dropping. Copies are applied 25 at a time with BatchWriteItem by
 * each target's own worker, so a dead region stalls no other link, and a burst of 100,000 items
 * replicates as the canaries do: the tap costs nothing per item already in the table (a scan of
 * the table would, and missed items beyond its first 1 MB page).
 *
 * <p>Conflicts resolve as in a global table, by last writer wins: each local write carries its
 * write time (when dynalite acknowledged it, on the machine's one clock) and its region; a region
 * keeps the newest version of each item and drops a copy that is older than what it holds (equal
 * times: the higher region name wins). So two regions writing one key at nearly the same moment
 * converge on one value everywhere, and nothing echoes back (copies go straight to dynalite, past
 * the tap).
 */
public final class DynamoLab implements LabStore {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoLab.class);
    private static final int APPLY_BATCH = 25;

    /** Why the lab cannot run here, for the one line the demo prints. */
    public static final class Unavailable extends io.replag.lab.LabUnavailable {
        public Unavailable(String message) {
            super(message);
        }
    }

    /** A write on its way: the item, or for a delete null, with its key. */
    private record Pending(long dueNanos, Map<String, AttributeValue> key, Map<String, AttributeValue> item, Version version) {
    }

    /** When and where an item was written: the order of last writer wins. */
    record Version(long writtenAtMicros, String region) implements Comparable<Version> {
        @Override
        public int compareTo(Version o) {
            int byTime = Long.compare(writtenAtMicros, o.writtenAtMicros);
            return byTime != 0 ? byTime : region.compareTo(o.region);
        }
    }

    /** region -> key -> the version of the item the region holds. */
    private final Map<String, Map<Map<String, AttributeValue>, Version>> versions = new java.util.concurrent.ConcurrentHashMap<>();


    private final Path dynaliteDir;
    private final String table;
    private final String partitionKey;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    /** dynalite's logs, one per region process; removed with the lab. */
    private Path logDir;
    /** What replag connects to: a fault proxy in front of each region's dynalite. */
    private final FaultProxies proxies = new FaultProxies("dynamodb");
    // touched by the region workers and by control calls
    private final Map<String, Process> processes = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, DynamoDbClient> clients = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, QueuedLink<Pending>> links = new LinkedHashMap<>();
    /** One single-threaded worker per region applies the copies into it: a dead region stalls only its own worker. */
    private final Map<String, ScheduledExecutorService> workers = new java.util.concurrent.ConcurrentHashMap<>();

    private DynamoLab(Path dynaliteDir, String table, String partitionKey) {
        this.dynaliteDir = dynaliteDir;
        this.table = table;
        this.partitionKey = partitionKey;
    }

    /**
     * Starts one dynalite per region with {@code table} (partition key {@code partitionKey}, type S)
     * and links between every ordered pair. Installs dynalite with {@code npm ci} if needed.
     *
     * @throws Unavailable if Node.js or npm is missing or dynalite cannot be installed
     */
    public static DynamoLab start(List<String> regions, String table, String partitionKey) throws Unavailable, IOException {
        return start(regions, table, partitionKey, io.replag.lab.distance.Geography.NONE);
    }

    /** As {@link #start(List, String, String)}, with links that carry the distance between their regions. */
    public static DynamoLab start(List<String> regions, String table, String partitionKey, io.replag.lab.distance.Geography geography)
            throws Unavailable, IOException {
        Path dir = locateDynalite();
        if (!onPath("node")) {
            throw new Unavailable("Node.js (node) not found; dynalite needs it (Debian: apt-get install nodejs npm)");
        }
        if (!Files.isRegularFile(dir.resolve("node_modules/dynalite/cli.js"))) {
            install(dir);
        }
        DynamoLab lab = new DynamoLab(dir, table, partitionKey);
        try {
            for (String region : regions) {
                lab.ports.put(region, Ports.free());
                lab.versions.put(region, new java.util.concurrent.ConcurrentHashMap<>());
                lab.launch(region);
                FaultProxy proxy = new FaultProxy(lab.ports.get(region), new FaultProxy.Answers("application/x-amz-json-1.0",
                        400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
                                + "\"message\":\"The level of configured provisioned throughput for the table was exceeded (lab fault)\"}",
                        400, "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\","
                                + "\"Message\":\"User is not authorized to perform: dynamodb:PutItem (lab fault)\"}"));
                proxy.tap((method, path, headers, request, answer) -> lab.tapped(region, headers, request, answer));
                lab.proxies.put(region, proxy);
            }
            for (String source : regions) {
                for (String target : regions) {
                    if (!source.equals(target)) {
                        lab.links.put(source + "->" + target, new QueuedLink<>(source, target, geography));
                    }
                }
            }
            for (String region : regions) {
                ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "lab-dynamodb-" + region);
                    t.setDaemon(true);
                    return t;
                });
                lab.workers.put(region, worker);
                worker.scheduleWithFixedDelay(() -> lab.applyInto(region), 0, 5, TimeUnit.MILLISECONDS);
            }
            return lab;
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private static Path locateDynalite() throws Unavailable {
        String home = System.getProperty("replag.home");
        Path start = home != null ? Path.of(home) : Path.of("").toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("lab/dynalite/package.json"))) {
                return p.resolve("lab/dynalite");
            }
        }
        throw new Unavailable("lab/dynalite/package.json not found above " + start + " (run from the replag checkout)");
    }

    private static void install(Path dir) throws Unavailable {
        if (!onPath("npm")) {
            throw new Unavailable("npm not found; it installs dynalite once (Debian: apt-get install npm)");
        }
        LOG.info("installing dynalite (npm ci in {}) ...", dir);
        try {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(npm.getInputStream().readAllBytes());
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                throw new Unavailable("npm ci for dynalite failed: " + out.strip());
            }
        } catch (IOException e) {
            throw new Unavailable("npm ci for dynalite failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while installing dynalite");
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        return path != null && java.util.Arrays.stream(path.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    private void launch(String region) throws IOException {
        int port = ports.get(region);
        if (logDir == null) {
            logDir = Files.createTempDirectory("replag-lab-dynamodb-");
        }
        Path log = logDir.resolve(region + "-" + port + ".log");
        Process p = new ProcessBuilder("node", dynaliteDir.resolve("node_modules/dynalite/cli.js").toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.put(region, p);
        awaitPort(port, p, log);
        DynamoDbClient client = DynamoDbClient.builder().region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("lab", "lab")))
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofMillis(500)).socketTimeout(Duration.ofSeconds(1)))
                .build();
        client.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName(partitionKey).attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName(partitionKey).keyType(KeyType.HASH).build()));
        DynamoDbClient old = clients.put(region, client);
        if (old != null) {
            old.close();
        }
        LOG.info("lab dynamodb {} (dynalite) on 127.0.0.1:{}, table {}", region, port, table);
    }

    private static void awaitPort(int port, Process p, Path log) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("dynalite exited at start; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000); // bounded by the deadline above
            }
        }
        throw new IOException("dynalite did not listen on " + port + " within 20 s; see " + log);
    }

    /**
     * A request dynalite answered with 200 in {@code source}: its writes to the lab's table are
     * queued for every other region. On the proxy's connection thread, before the client's answer.
     */
    private void tapped(String source, Map<String, String> headers, java.util.function.Supplier<byte[]> request,
                        java.util.function.Supplier<byte[]> answer) {
        String target = headers.getOrDefault("x-amz-target", "");
        String operation = target.substring(target.indexOf('.') + 1);
        if (!List.of("PutItem", "BatchWriteItem", "DeleteItem", "UpdateItem").contains(operation)) {
            return;
        }
        try {
            io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject(new String(request.get(), java.nio.charset.StandardCharsets.UTF_8));
            switch (operation) {
                case "PutItem" -> {
                    if (table.equals(body.getString("TableName"))) {
                        Map<String, AttributeValue> item = DynamoJson.item(body.getJsonObject("Item"));
                        written(source, keyOf(item), item);
                    }
                }
                case "DeleteItem" -> {
                    if (table.equals(body.getString("TableName"))) {
                        written(source, DynamoJson.item(body.getJsonObject("Key")), null);
                    }
                }
                case "UpdateItem" -> {
                    if (table.equals(body.getString("TableName"))) {
                        Map<String, AttributeValue> key = DynamoJson.item(body.getJsonObject("Key"));
                        Map<String, AttributeValue> item = clients.get(source).getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
                        written(source, key, item == null || item.isEmpty() ? null : item);
                    }
                }
                default -> {
                    io.vertx.core.json.JsonArray requests = body.getJsonObject("RequestItems").getJsonArray(table);
                    io.vertx.core.json.JsonObject left = new io.vertx.core.json.JsonObject(new String(answer.get(), java.nio.charset.StandardCharsets.UTF_8))
                            .getJsonObject("UnprocessedItems", new io.vertx.core.json.JsonObject());
                    if (requests == null) {
                        return;
                    }
                    java.util.Set<Object> unprocessed = new java.util.HashSet<>(left.getJsonArray(table, new io.vertx.core.json.JsonArray()).getList());
                    for (Object r : requests) {
                        io.vertx.core.json.JsonObject w = (io.vertx.core.json.JsonObject) r;
                        if (unprocessed.contains(w.getMap())) {
                            continue;
                        }
                        if (w.containsKey("PutRequest")) {
                            Map<String, AttributeValue> item = DynamoJson.item(w.getJsonObject("PutRequest").getJsonObject("Item"));
                            written(source, keyOf(item), item);
                        } else {
                            written(source, DynamoJson.item(w.getJsonObject("DeleteRequest").getJsonObject("Key")), null);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("lab dynamodb: a {} in {} was not replicated: {}", operation, source, e.toString());
        }
    }

    private Map<String, AttributeValue> keyOf(Map<String, AttributeValue> item) {
        return Map.of(partitionKey, item.get(partitionKey));
    }

    /** A local write in {@code source}: newer than anything the region held (it overwrote it), and on its way everywhere else. */
    private void written(String source, Map<String, AttributeValue> key, Map<String, AttributeValue> item) {
        long now = System.nanoTime();
        Version version = new Version(io.replag.agent.time.WallClock.system().nowMicros(), source);
        versions.get(source).put(key, version);
        links.forEach((name, link) -> {
            if (name.startsWith(source + "->")) {
                synchronized (link) {
                    link.queue.addLast(new Pending(link.dueNanos(now), key, item, version));
                }
            }
        });
    }

    /** Applies what is due on every link into one region. */
    private void applyInto(String target) {
        try {
            long now = System.nanoTime();
            links.forEach((name, link) -> {
                if (name.endsWith("->" + target)) {
                    apply(target, link, now);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("lab dynamodb replication into {} failed: {}", target, e.toString());
        }
    }

    private void apply(String target, QueuedLink<Pending> link, long now) {
        if (link.paused || !running(target)) {
            return;
        }
        synchronized (link) {
            while (!link.queue.isEmpty() && link.queue.peekFirst().dueNanos <= now) {
                // up to 25 due copies, one per key (a batch may not name a key twice), in queue order
                List<Pending> batch = new ArrayList<>();
                java.util.Set<Map<String, AttributeValue>> keys = new java.util.HashSet<>();
                var it = link.queue.iterator();
                while (it.hasNext() && batch.size() < APPLY_BATCH) {
                    Pending p = it.next();
                    if (p.dueNanos > now || keys.contains(p.key)) {
                        break;
                    }
                    keys.add(p.key);
                    batch.add(p);
                }
                List<Pending> apply = new ArrayList<>();
                for (Pending p : batch) {
                    Version held = versions.get(target).get(p.key);
                    if (link.dropping) {
                        link.dropped(p.key.get(partitionKey).s()); // lost in replication
                    } else if (held == null || held.compareTo(p.version) < 0) {
                        apply.add(p); // else last writer wins: the region holds a newer write
                    }
                }
                if (!apply.isEmpty()) {
                    var requests = apply.stream().map(p -> p.item == null
                            ? software.amazon.awssdk.services.dynamodb.model.WriteRequest.builder().deleteRequest(d -> d.key(p.key)).build()
                            : software.amazon.awssdk.services.dynamodb.model.WriteRequest.builder().putRequest(r -> r.item(p.item)).build()).toList();
                    try {
                        var response = clients.get(target).batchWriteItem(b -> b.requestItems(Map.of(table, requests)));
                        if (!response.unprocessedItems().isEmpty()) {
                            return; // the whole batch again next round: copies are idempotent
                        }
                    } catch (RuntimeException down) {
                        return; // retried next round
                    }
                    apply.forEach(p -> versions.get(target).put(p.key, p.version));
                }
                batch.forEach(p -> link.queue.pollFirst());
            }
        }
    }

    private boolean running(String region) {
        Process p = processes.get(region);
        return p != null && p.isAlive();
    }

    @Override
    public String store() {
        return "dynamodb";
    }

    /** Region to the port replag should use: the fault proxy in front of that region's dynalite. */
    public Map<String, Integer> ports() {
        return proxies.ports();
    }

    @Override
    public Fault fault(String region, Fault fault) {
        return proxies.fault(region, fault);
    }

    @Override
    public Map<String, Fault> faults() {
        return proxies.faults();
    }

    public String table() {
        return table;
    }

    @Override
    public synchronized List<LinkState> links() {
        List<LinkState> out = new ArrayList<>();
        links.values().forEach(l -> out.add(l.state(store())));
        return out;
    }

    @Override
    public List<String> droppedKeys(String source, String target) {
        QueuedLink<Pending> link = links.get(source + "->" + target);
        return link == null ? List.of() : link.droppedKeys();
    }

    @Override
    public synchronized LinkState change(String source, String target, LinkChange change) {
        QueuedLink<Pending> link = links.get(source + "->" + target);
        if (link == null) {
            throw new NoSuchElementException("no dynamodb lab link " + source + " -> " + target);
        }
        return link.change(store(), change);
    }

    @Override
    public synchronized void stopRegion(String region) {
        Process p = processes.get(region);
        if (p == null) {
            throw new NoSuchElementException("no dynamodb lab region " + region);
        }
        p.destroy();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("lab dynamodb {} stopped (its in-memory data is gone)", region);
    }

    @Override
    public synchronized void startRegion(String region) throws IOException {
        if (!ports.containsKey(region)) {
            throw new NoSuchElementException("no dynamodb lab region " + region);
        }
        if (!running(region)) {
            versions.get(region).clear(); // dynalite keeps its data in memory: the region starts empty
            launch(region);
        }
    }

    @Override
    public List<io.replag.lab.ObservedCanary> observe(String region) {
        DynamoDbClient client = clients.get(region);
        if (client == null || !running(region)) {
            throw new IllegalStateException("dynamodb lab region " + region + " is not running");
        }
        List<io.replag.lab.ObservedCanary> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : client.scan(b -> b.tableName(table).consistentRead(true)).items()) {
            AttributeValue seq = item.get("seq"), agent = item.get("agent"), source = item.get("source_region");
            if (seq != null && agent != null && source != null) {
                out.add(new io.replag.lab.ObservedCanary(agent.s(), source.s(), Long.parseLong(seq.n())));
            }
        }
        return out;
    }

    /** The lab's DynamoDB client for a region, for tests that write around replag. */
    public DynamoDbClient client(String region) {
        return clients.get(region);
    }

    @Override
    public synchronized void close() {
        workers.values().forEach(ScheduledExecutorService::shutdownNow);
        proxies.close();
        clients.values().forEach(DynamoDbClient::close);
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (logDir != null) {
            try (var files = Files.walk(logDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a log left in the temp directory is harmless
            }
        }
    }

}
