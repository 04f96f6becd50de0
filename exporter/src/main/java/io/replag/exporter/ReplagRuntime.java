package io.replag.exporter;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replag.exporter.http.MetricsPage;
import io.replag.agent.Stores;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.engine.ArrivalListener;
import io.replag.agent.engine.Engine;
import io.replag.agent.engine.SetProbe;
import io.replag.agent.engine.SetView;
import io.replag.agent.clock.ChronyClockBound;
import io.replag.agent.clock.ClockBound;
import io.replag.exporter.config.AgentOptions;
import io.replag.agent.metrics.ReplagMetrics;
import io.replag.agent.time.VertxEventLoop;
import io.replag.agent.time.WallClock;
import io.replag.exporter.config.ReplagConfig;
import io.replag.exporter.health.Evidence;
import io.replag.exporter.health.PeerEvidence;
import io.replag.exporter.health.RegionHealth;
import io.vertx.core.json.JsonObject;
import io.replag.exporter.http.HttpEndpoints;
import io.replag.exporter.http.HttpExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.replag.exporter.web.BasicAuth;
import io.replag.exporter.web.WebConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * One running exporter: the engine probing every configured set, and the HTTP server with
 * /metrics, /health and /ready (plus an {@link HttpExtension}'s routes: the lab control API of
 * the demo, which lives in replag-tools).
 * Lifecycle: {@link #start()} once; {@link #stop()} is idempotent and drains both.
 */
public final class ReplagRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(ReplagRuntime.class);

    private volatile ReplagConfig config;
    private volatile Probing current;
    private volatile double lastReloadSuccess = 1;
    private final HttpExtension extension;
    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    private final PrometheusMeterRegistry jvmRegistry;
    private final MetricsPage metricsPage;
    private final ArrivalListener arrivals;
    private final WebConfig web;

    private HttpServer server;
    private io.replag.exporter.http.ServerLimits serverLimits = io.replag.exporter.http.ServerLimits.DEFAULT;
    private io.replag.exporter.http.ConnectionGuard connections;
    private BasicAuth auth;
    /** Per-region demo: one config per agent (each with its region and its own way to the endpoints); null otherwise. */
    private final List<ReplagConfig> agentConfigs;
    private final List<Long> chronyTimers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private CompletableFuture<Void> stopped;

    /** @param extension further routes (the demo's lab control API), or null for none */
    public ReplagRuntime(ReplagConfig config, HttpExtension extension) {
        this(config, extension, ArrivalListener.NONE);
    }

    public ReplagRuntime(ReplagConfig config, HttpExtension extension, ArrivalListener arrivals) {
        this(config, extension, arrivals, WebConfig.NONE);
    }

    public ReplagRuntime(ReplagConfig config, HttpExtension extension, ArrivalListener arrivals, WebConfig web) {
        this(config, null, extension, arrivals, web);
    }

    /**
     * @param agents one config per agent, each in per-region mode, all in this process (the
     *               per-region demo); null for the one agent {@code config} describes
     */
    public ReplagRuntime(ReplagConfig config, List<ReplagConfig> agents, HttpExtension extension, ArrivalListener arrivals, WebConfig web) {
        this.agentConfigs = agents == null ? null : List.copyOf(agents);
        this.web = web;
        this.arrivals = arrivals;
        this.config = config;
        this.extension = extension;
        this.vertx = Vertx.vertx();
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // JVM and process meters apart: /metrics renders them generically, replag's many meters fast (MetricsPage)
        this.jvmRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(jvmRegistry);
        new JvmGcMetrics().bindTo(jvmRegistry);
        new JvmThreadMetrics().bindTo(jvmRegistry);
        new ClassLoaderMetrics().bindTo(jvmRegistry);
        new ProcessorMetrics().bindTo(jvmRegistry);
        new UptimeMetrics().bindTo(jvmRegistry);
        new FileDescriptorMetrics().bindTo(jvmRegistry);
        this.metricsPage = new MetricsPage(jvmRegistry, registry);
        Gauge.builder("replag.config.last.reload.successful", this, r -> r.lastReloadSuccess)
                .description("1 if the last configuration reload (SIGHUP) worked or none was tried, 0 if the file was refused")
                .register(registry);
        Gauge.builder("replag.build.info", () -> 1)
                .description("replag's version, as a label; always 1")
                .tags("version", BuildInfo.version(), "java_version", System.getProperty("java.version"))
                .register(registry);
    }

    /** replag's own meters (every {@code replag_} series); the JVM's are in {@link #metricsPage()} too. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The whole /metrics page as served: JVM and process families, then replag's. */
    public String metricsPage() {
        return metricsPage.render();
    }

    public Vertx vertx() {
        return vertx;
    }

    public Engine engine() {
        return current == null ? null : current.engine();
    }

    /** The engine and region health of one configuration; replaced whole on reload. */
    private record Probing(ReplagConfig config, Engine engine, RegionHealth regionHealth, PeerEvidence peers) {
        void tick() {
            if (peers != null) {
                peers.ask();
            }
            regionHealth.evaluate();
        }
    }

    /** This agent's own facts for its peers ({@code /health/evidence}); never its peers' facts, so nothing echoes. */
    public JsonObject evidence() {
        Probing p = current;
        String region = p.config().agentOptions().region().orElse("");
        return Evidence.of(p.config().agent() + (region.isEmpty() ? "" : "@" + region), region, SetView.merge(p.engine().sets()));
    }

    private Probing probing(ReplagConfig config) {
        return probing(config, new java.util.HashMap<>());
    }

    /** @param running probes of the previous configuration to keep, by their set (taken out of the map as they are used) */
    private Probing probing(ReplagConfig config, Map<ReplicationSet, SetProbe> running) {
        VertxEventLoop loop = VertxEventLoop.create(vertx);
        List<SetProbe> probes = new ArrayList<>();
        java.util.Set<SetProbe> kept = new java.util.HashSet<>();
        List<ReplagConfig> agents = agentConfigs != null ? agentConfigs : List.of(config);
        for (ReplagConfig agent : agents) {
            String local = agent.agentOptions().region().orElse(null);
            // per-region mode: each agent's series say which agent measured them
            ReplagMetrics metrics = local == null ? new ReplagMetrics(registry)
                    : new ReplagMetrics(registry, io.micrometer.core.instrument.Tags.of("agent", agent.agent() + "@" + local));
            ClockBound clockBound = clockBound(agent.agentOptions());
            metrics.clockErrorBound(clockBound::errorBoundMicros);
            for (ReplicationSet set : agent.sets()) {
                SetProbe same = running.remove(set);
                if (same != null) {
                    probes.add(same);
                    kept.add(same);
                    continue;
                }
                var store = Stores.byKey(set.store()).orElseThrow().create(vertx, set);
                probes.add(new SetProbe(set, store, loop, WallClock.system(), metrics, agent.agent(), arrivals, local, clockBound));
            }
        }
        Engine engine = new Engine(probes, kept);
        loop.execute(engine::start);
        String judged = agents.size() == 1 ? agents.get(0).agentOptions().region().orElse(null) : null;
        if (judged != null && !config.agentOptions().otherPeers().isEmpty()) {
            // region health from a quorum: this agent's facts and its peers', attributed together, for every region
            PeerEvidence peers = new PeerEvidence(vertx, config.agentOptions(), System::nanoTime);
            List<ReplicationSet> known = config.sets();
            RegionHealth health = new RegionHealth(config.regionHealth(), () -> {
                List<SetView> all = new ArrayList<>(probes);
                all.addAll(peers.views(known));
                return SetView.merge(all);
            }, System::nanoTime, null, peers::quorum);
            return new Probing(config, engine, health, peers);
        }
        return new Probing(config, engine, new RegionHealth(config.regionHealth(), SetView.merge(probes), System::nanoTime, judged), null);
    }

    /** chrony's bound where it can be read (refreshed every 16 s on a worker), else the configured one. */
    private ClockBound clockBound(AgentOptions options) {
        long fallback = options.clockMaxError().toNanos() / 1_000;
        if (!options.chrony()) {
            return ClockBound.fixed(fallback);
        }
        ChronyClockBound chrony = new ChronyClockBound(fallback);
        vertx.executeBlocking(() -> {
            chrony.refresh();
            return null;
        }, false);
        chronyTimers.add(vertx.setPeriodic(16_000, id -> vertx.executeBlocking(() -> {
            chrony.refresh();
            return null;
        }, false)));
        return chrony;
    }

    /**
     * exporter-toolkit's defaults (Go's secure list): forward secrecy and AEAD only, so TLS 1.2
     * offers no AES128-SHA or other RSA key exchange; the TLS 1.3 suites are all of that kind.
     */
    public static final java.util.List<String> TLS_CIPHER_SUITES = java.util.List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** Other limits on HTTP clients than {@link io.replag.exporter.http.ServerLimits#DEFAULT}; before {@link #start()}. */
    public ReplagRuntime serverLimits(io.replag.exporter.http.ServerLimits limits) {
        this.serverLimits = java.util.Objects.requireNonNull(limits, "limits");
        return this;
    }

    /** The connections the HTTP server holds and has closed; null before {@link #start()}. */
    public io.replag.exporter.http.ConnectionGuard connections() {
        return connections;
    }

    /** The basic auth in front of every route; null without users or before {@link #start()}. */
    public BasicAuth auth() {
        return auth;
    }

    /** Starts probing and serving. @return the bound HTTP port */
    public Future<Integer> start() {
        HttpEndpoints endpoints = new HttpEndpoints(vertx, this::metricsPage, () -> current.engine(), () -> current.regionHealth(),
                () -> current.config().lagThresholds(), extension, config.agentOptions().region().isPresent() ? this::evidence : null);
        auth = web.users().isEmpty() ? null : new BasicAuth(vertx, web.users());
        Router router = endpoints.router(auth);
        // no h2c: the server would wait for a connection's first bytes before it exists, so the cap and
        // the header deadline could not see a client that connects and sends nothing
        HttpServerOptions options = new HttpServerOptions().setCompressionSupported(true).setHttp2ClearTextEnabled(false)
                .setIdleTimeout((int) serverLimits.idleTimeout().toSeconds()).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
        connections = new io.replag.exporter.http.ConnectionGuard(serverLimits);
        web.tls().ifPresent(tls -> {
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile()))
                    .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.2", "TLSv1.3"));
            TLS_CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
        });
        current = probing(config);
        vertx.setPeriodic(1000, id -> current.tick());
        return vertx.createHttpServer(options)
                .connectionHandler(connections::connected)
                .requestHandler(connections.guarding(router))
                .listen(config.listenPort(), config.listenHost())
                .map(s -> {
                    server = s;
                    LOG.info("replag {} probing {} replication set(s), {} pair(s); metrics on {}://{}:{}/metrics{}",
                            BuildInfo.version(), config.sets().size(), config.pairCount(), web.tls().isPresent() ? "https" : "http",
                            config.listenHost(), s.actualPort(), web.users().isEmpty() ? "" : " (basic auth)");
                    return s.actualPort();
                });
    }

    /**
     * Replaces the probed configuration: the old sets stop, their series disappear from /metrics,
     * the new sets start (their seq continues from the stored canaries). The HTTP server keeps
     * running, so its address cannot change without a restart.
     */
    public synchronized Future<Void> reload(ReplagConfig next) {
        if (!next.listenHost().equals(config.listenHost()) || next.listenPort() != config.listenPort()) {
            reloads(false);
            return Future.failedFuture(new IllegalArgumentException("server.listen: changes need a restart, found "
                    + next.listenHost() + ":" + next.listenPort() + " instead of " + config.listenHost() + ":" + config.listenPort()));
        }
        Probing old = current;
        if (old.peers() != null) {
            old.peers().close();
        }
        // an unchanged set keeps running, and keeps its counters and histograms: only what changed restarts
        boolean sameAgent = agentConfigs == null && next.agent().equals(config.agent())
                && next.agentOptions().equals(config.agentOptions());
        Map<ReplicationSet, SetProbe> keep = new java.util.HashMap<>();
        if (sameAgent) {
            java.util.Set<ReplicationSet> nextSets = new java.util.HashSet<>(next.sets());
            old.engine().sets().stream().filter(p -> nextSets.contains(p.set())).forEach(p -> keep.put(p.set(), p));
        }
        List<SetProbe> stopping = old.engine().sets().stream().filter(p -> !keep.containsValue(p)).toList();
        int unchanged = keep.size();
        return Future.join(stopping.stream().map(SetProbe::stop).toList()).eventually(() -> {
            registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("replag.")
                            && !m.getId().getName().startsWith("replag.build") && !m.getId().getName().startsWith("replag.config")
                            && (!sameAgent || stopping.stream().anyMatch(p -> p.set().name().equals(m.getId().getTag("resource"))
                                    && p.set().store().equals(m.getId().getTag("store")))))
                    .forEach(registry::remove);
            current = probing(next, keep);
            config = next;
            reloads(true);
            LOG.info("replag reloaded: probing {} replication set(s), {} pair(s); {} unchanged kept running with their meters",
                    next.sets().size(), next.pairCount(), unchanged);
            return Future.succeededFuture();
        }).mapEmpty();
    }

    /** Counts a reload attempt, for an alert on a configuration that no longer loads. */
    public void reloads(boolean success) {
        registry.counter("replag.config.reloads", "result", success ? "success" : "failure").increment();
        lastReloadSuccess = success ? 1 : 0;
    }

    /**
     * Stops the HTTP server (draining requests in flight for up to 5 s), the engine, then Vert.x.
     * Vert.x is closed from a plain thread: a close chained on an event loop would report its
     * completion to a loop that no longer runs.
     */
    public synchronized CompletableFuture<Void> stop() {
        if (stopped == null) {
            LOG.info("replag stopping: HTTP requests in flight drain (up to 5 s), then probes stop; canaries in flight are not counted missed");
            Future<Void> http = server == null ? Future.succeededFuture() : server.shutdown(5, TimeUnit.SECONDS);
            stopped = http.eventually(() -> current == null ? Future.succeededFuture() : current.engine().stop())
                    .toCompletionStage().toCompletableFuture()
                    .handleAsync((v, e) -> null, ForkJoinPool.commonPool())
                    .thenCompose(v -> vertx.close().toCompletionStage())
                    .thenRun(() -> {
                        if (connections != null) {
                            connections.close();
                        }
                        LOG.info("replag stopped");
                    })
                    .toCompletableFuture();
        }
        return stopped;
    }
}
