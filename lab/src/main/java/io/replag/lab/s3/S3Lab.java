package io.replag.lab.s3;

import io.replag.lab.Fault;
import io.replag.lab.FaultProxies;
import io.replag.lab.FaultProxy;
import io.replag.lab.Ports;
import io.replag.lab.QueuedLink;
import io.replag.lab.LabStore;
import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.TransientApiMetadata;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * S3 regions on this machine: one s3proxy (in-process, jclouds' in-memory blobstore) per region
 * with that region's bucket, behind a fault proxy. s3proxy has no replication, so the lab's links
 * are the replication rules: each region's fault proxy taps the object PUTs s3proxy acknowledged
 * (as S3 replication picks up each new version), and each is queued for every rule's destination
 * and copied, user metadata and all, when the link's delay has passed (checked every 5 ms),
 * unless the link is paused. (Before issue 17 the lab listed every bucket every 20 ms, which did
 * not scale past a few thousand objects: a burst's records beyond them were never replicated.) Like S3, a replica is never
 * replicated onwards, and the source object carries {@code x-amz-replication-status}: PENDING
 * until every destination has it, then COMPLETED, or FAILED once a dropping link lost it (the
 * fault proxy adds the header, as s3proxy does not keep one).
 */
public final class S3Lab implements LabStore {
    private static final Logger LOG = LoggerFactory.getLogger(S3Lab.class);
    private static final Duration APPLY_EVERY = Duration.ofMillis(5);
    public static final String ACCESS_KEY = "lab";
    public static final String SECRET_KEY = "lab-secret";

    /** A version to copy, taken when it was written: S3 replicates every version of a versioned bucket. */
    private record Pending(long dueNanos, String key, String etag, byte[] body, String contentType, Map<String, String> userMetadata,
                           Written written) {
    }

    /**
     * When and where a version was written: its write time (when the tap saw s3proxy acknowledge
     * it, on the machine's one clock) and its region. A bucket's current version is the newest;
     * equal times: the higher region name wins, so every bucket picks the same one.
     */
    private record Written(long atNanos, String region) {
        boolean newerThan(Written other) {
            return atNanos != other.atNanos ? atNanos > other.atNanos : region.compareTo(other.region) > 0;
        }
    }


    /** What the lab knows of one object written in its own region: its version and where it went. */
    private static final class Origin {
        final String etag;
        final Set<String> delivered = ConcurrentHashMap.newKeySet();
        volatile boolean failed;

        Origin(String etag) {
            this.etag = etag;
        }
    }

    private final Map<String, String> buckets;
    private final Map<String, BlobStoreContext> contexts = new LinkedHashMap<>();
    private final Map<String, S3Proxy> servers = new ConcurrentHashMap<>();
    private final Map<String, Integer> serverPorts = new LinkedHashMap<>();
    private final FaultProxies proxies = new FaultProxies("s3");
    private final Map<String, QueuedLink<Pending>> links = new LinkedHashMap<>();
    /** region -> key -> objects written there, by the lab's account of them. */
    private final Map<String, Map<String, Origin>> origins = new ConcurrentHashMap<>();
    /** region -> key -> etag of the copy the lab put there. */
    private final Map<String, Map<String, String>> copies = new ConcurrentHashMap<>();
    /** region -> key -> the version its bucket holds as current (written there or copied in). */
    private final Map<String, Map<String, Written>> current = new ConcurrentHashMap<>();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lab-s3");
        t.setDaemon(true);
        return t;
    });

    private S3Lab(Map<String, String> buckets) {
        this.buckets = new LinkedHashMap<>(buckets);
    }

    /**
     * Starts one s3proxy per region with its bucket, and one link per rule.
     *
     * @param buckets region to bucket name
     * @param rules   source region to the target regions its bucket replicates to
     */
    public static S3Lab start(Map<String, String> buckets, Map<String, List<String>> rules) throws Exception {
        return start(buckets, rules, io.replag.lab.distance.Geography.NONE);
    }

    /** As {@link #start(Map, Map)}, with links that carry the distance between their regions. */
    public static S3Lab start(Map<String, String> buckets, Map<String, List<String>> rules, io.replag.lab.distance.Geography geography)
            throws Exception {
        S3Lab lab = new S3Lab(buckets);
        try {
            for (var e : buckets.entrySet()) {
                String region = e.getKey();
                BlobStoreContext context = ContextBuilder.newBuilder(new TransientApiMetadata()).credentials("lab", "lab")
                        .buildView(BlobStoreContext.class);
                lab.contexts.put(region, context);
                context.getBlobStore().createContainerInLocation(null, e.getValue());
                lab.origins.put(region, new ConcurrentHashMap<>());
                lab.copies.put(region, new ConcurrentHashMap<>());
                lab.current.put(region, new ConcurrentHashMap<>());
                lab.serverPorts.put(region, Ports.free());
                lab.launch(region);
                FaultProxy proxy = new FaultProxy(lab.serverPorts.get(region), new FaultProxy.Answers("application/xml",
                        503, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
                                + "<Message>Please reduce your request rate. (lab fault)</Message></Error>",
                        403, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                                + "<Message>Access Denied (lab fault)</Message></Error>"),
                        (method, path, headers) -> lab.replicationStatusHeader(region, method, path, headers));
                proxy.tap((method, path, headers, request, answer) -> lab.tapped(region, method, path));
                lab.proxies.put(region, proxy);
            }
            rules.forEach((source, targets) -> targets.forEach(target -> {
                if (!buckets.containsKey(source) || !buckets.containsKey(target)) {
                    throw new IllegalArgumentException("rule " + source + " -> " + target + " names a region without a bucket");
                }
                lab.links.put(source + "->" + target, new QueuedLink<>(source, target, geography));
            }));
            lab.worker.scheduleWithFixedDelay(lab::replicate, 0, APPLY_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            return lab;
        } catch (Exception e) {
            lab.close();
            throw e;
        }
    }

    private void launch(String region) throws Exception {
        int port = serverPorts.get(region);
        S3Proxy server = S3Proxy.builder().blobStore(contexts.get(region).getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .jettyMaxThreads(16)
                .build();
        server.start(); // returns once Jetty listens
        if (!"STARTED".equals(server.getState())) {
            throw new IOException("s3proxy for " + region + " did not start (state " + server.getState() + ")");
        }
        servers.put(region, server);
        LOG.info("lab s3 {} (s3proxy, in memory) on 127.0.0.1:{}, bucket {}", region, port, buckets.get(region));
    }

    /** Copies what is due on every link. */
    private void replicate() {
        long now = System.nanoTime();
        for (QueuedLink<Pending> link : links.values()) {
            try {
                apply(link, now);
            } catch (RuntimeException e) {
                LOG.warn("lab s3 replication {} -> {} failed: {}", link.source, link.target, e.toString());
            }
        }
    }

    /**
     * A request s3proxy answered with 200 in {@code source}: an object PUT there (path style,
     * {@code /bucket/key}) is queued on the region's links, as S3 replication picks up a new
     * version. On the proxy's connection thread, before the client has its answer.
     */
    private void tapped(String source, String method, String path) {
        String prefix = "/" + buckets.get(source) + "/";
        if (!"PUT".equals(method) || !path.startsWith(prefix) || path.length() == prefix.length()) {
            return;
        }
        try {
            written(source, java.net.URI.create(path).getPath().substring(prefix.length()), System.nanoTime());
        } catch (RuntimeException e) {
            LOG.warn("lab s3: a PUT of {} in {} was not replicated: {}", path, source, e.toString());
        }
    }

    /** An object written in {@code source}: queued for each rule's destination, unless it is the lab's own copy. */
    private void written(String source, String key, long now) {
        if (!servers.containsKey(source)) {
            return; // a stopped region neither sends nor receives
        }
        BlobStore store = contexts.get(source).getBlobStore();
        Blob blob = store.getBlob(buckets.get(source), key);
        if (blob == null) {
            return; // deleted since
        }
        String etag = blob.getMetadata().getETag();
        if (etag == null || etag.equals(copies.get(source).get(key))) {
            return; // the lab's own copy: a replica is never replicated onwards
        }
        byte[] body;
        try (InputStream in = blob.getPayload().openStream()) {
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        copies.get(source).remove(key);
        origins.get(source).put(key, new Origin(etag));
        Written version = new Written(now, source);
        current.get(source).put(key, version); // a PUT makes the newest version, current in its own bucket
        for (QueuedLink<Pending> link : links.values()) {
            if (link.source.equals(source)) {
                synchronized (link) {
                    link.queue.addLast(new Pending(link.dueNanos(now), key, etag, body,
                            blob.getMetadata().getContentMetadata().getContentType(),
                            Map.copyOf(blob.getMetadata().getUserMetadata()), version));
                }
            }
        }
    }

    private void apply(QueuedLink<Pending> link, long now) {
        if (link.paused || !servers.containsKey(link.target) || !servers.containsKey(link.source)) {
            return;
        }
        synchronized (link) {
            while (!link.queue.isEmpty() && link.queue.peekFirst().dueNanos <= now) {
                Pending p = link.queue.pollFirst();
                Origin origin = origins.get(link.source).get(p.key);
                if (link.dropping) {
                    link.dropped(p.key);
                    if (origin != null && origin.etag.equals(p.etag)) {
                        origin.failed = true; // S3 marks the source FAILED and does not retry
                    }
                    continue;
                }
                Written held = current.get(link.target).get(p.key);
                if (held == null || p.written.newerThan(held)) {
                    copy(p, link.target);
                } // else the version arrives older than the target's current one: kept as a noncurrent version, not shown
                if (origin != null && origin.etag.equals(p.etag)) {
                    origin.delivered.add(link.target);
                }
            }
        }
    }

    private void copy(Pending version, String target) {
        BlobStore store = contexts.get(target).getBlobStore();
        Blob replica = store.blobBuilder(version.key).payload(version.body).contentType(version.contentType)
                .userMetadata(version.userMetadata).build();
        String etag = store.putBlob(buckets.get(target), replica);
        copies.get(target).put(version.key, etag);
        current.get(target).put(version.key, version.written);
        origins.get(target).remove(version.key);
    }

    /** The x-amz-replication-status S3 would send for a GET or HEAD of an object in {@code region}. */
    private Map<String, String> replicationStatusHeader(String region, String method, String path, Map<String, String> headers) {
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return Map.of();
        }
        String prefix = "/" + buckets.get(region) + "/";
        if (!path.startsWith(prefix) || path.length() == prefix.length()) {
            return Map.of();
        }
        String key = java.net.URLDecoder.decode(path.substring(prefix.length()), java.nio.charset.StandardCharsets.UTF_8);
        String etag = headers.getOrDefault("etag", "").replace("\"", "");
        if (etag.equals(copies.get(region).getOrDefault(key, "").replace("\"", ""))) {
            return Map.of("x-amz-replication-status", "REPLICA");
        }
        List<String> targets = links.values().stream().filter(l -> l.source.equals(region)).map(l -> l.target).toList();
        if (targets.isEmpty()) {
            return Map.of(); // no rule covers it
        }
        Origin origin = origins.get(region).get(key);
        if (origin == null || !origin.etag.replace("\"", "").equals(etag)) {
            return Map.of("x-amz-replication-status", "PENDING"); // not listed yet
        }
        String status = origin.failed ? "FAILED" : origin.delivered.containsAll(targets) ? "COMPLETED" : "PENDING";
        return Map.of("x-amz-replication-status", status);
    }

    @Override
    public String store() {
        return "s3";
    }

    /** Region to the port replag should use: the fault proxy in front of that region's s3proxy. */
    public Map<String, Integer> ports() {
        return proxies.ports();
    }

    public Map<String, String> buckets() {
        return java.util.Collections.unmodifiableMap(buckets);
    }

    /** The lab's blobstore of a region, for tests that look around replag. */
    public BlobStore blobStore(String region) {
        BlobStoreContext context = contexts.get(region);
        if (context == null) {
            throw new NoSuchElementException("no s3 lab region " + region);
        }
        return context.getBlobStore();
    }

    @Override
    public Fault fault(String region, Fault fault) {
        return proxies.fault(region, fault);
    }

    @Override
    public Map<String, Fault> faults() {
        return proxies.faults();
    }

    /** Canary objects are {@code replag/<agent>/<source>} with the seq in their user metadata (S3CanaryStore). */
    @Override
    public List<io.replag.lab.ObservedCanary> observe(String region) {
        if (!servers.containsKey(region)) {
            throw new IllegalStateException("s3 lab region " + region + " is not running");
        }
        BlobStore store = contexts.get(region).getBlobStore();
        List<io.replag.lab.ObservedCanary> out = new ArrayList<>();
        for (StorageMetadata object : store.list(buckets.get(region), ListContainerOptions.Builder.prefix("replag/").recursive())) {
            String[] parts = object.getName().split("/");
            var metadata = store.blobMetadata(buckets.get(region), object.getName());
            String seq = metadata == null ? null : metadata.getUserMetadata().get("replag-seq");
            if (parts.length == 3 && seq != null) {
                out.add(new io.replag.lab.ObservedCanary(parts[1], parts[2], Long.parseLong(seq)));
            }
        }
        return out;
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
            throw new NoSuchElementException("no s3 lab link " + source + " -> " + target + " (no such replication rule)");
        }
        return link.change(store(), change);
    }

    @Override
    public synchronized void stopRegion(String region) throws Exception {
        if (!buckets.containsKey(region)) {
            throw new NoSuchElementException("no s3 lab region " + region);
        }
        S3Proxy server = servers.remove(region);
        if (server != null) {
            server.stop();
        }
        LOG.info("lab s3 {} stopped (its objects are kept)", region);
    }

    @Override
    public synchronized void startRegion(String region) throws Exception {
        if (!buckets.containsKey(region)) {
            throw new NoSuchElementException("no s3 lab region " + region);
        }
        if (!servers.containsKey(region)) {
            launch(region);
        }
    }

    @Override
    public synchronized void close() {
        worker.shutdownNow();
        proxies.close();
        for (S3Proxy server : servers.values()) {
            try {
                server.stop();
            } catch (Exception e) {
                LOG.debug("s3proxy stop: {}", e.toString());
            }
        }
        servers.clear();
        contexts.values().forEach(BlobStoreContext::close);
    }


}
