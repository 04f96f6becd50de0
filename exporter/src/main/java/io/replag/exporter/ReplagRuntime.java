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
        VertxEventLoop loop = VertxEventLoop.create(vertx);
        List<SetProbe> probes = new ArrayList<>();
        List<ReplagConfig> agents = agentConfigs != null ? agentConfigs : List.of(config);
        for (ReplagConfig agent : agents) {
            String local = agent.agentOptions().region().orElse(null);
            // per-region mode: each agent's series say which agent measured them
            ReplagMetrics metrics = local == null ? new ReplagMetrics(registry)
                    : new ReplagMetrics(registry, io.micrometer.core.instrument.Tags.of("agent", agent.agent() + "@" + local));
            ClockBound clockBound = clockBound(agent.agentOptions());
            metrics.clockErrorBound(clockBound::errorBoundMicros);
            for (ReplicationSet set : agent.sets()) {
                var store = Stores.byKey(set.store()).orElseThrow().create(vertx, set);
                probes.add(new SetProbe(set, store, loop, WallClock.system(), metrics, agent.agent(), arrivals, local, clockBound));
            }
        }
        Engine engine = new Engine(probes);
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

    /** Starts probing and serving. @return the bound HTTP port */
    public Future<Integer> start() {
        HttpEndpoints endpoints = new HttpEndpoints(vertx, this::metricsPage, () -> current.engine(), () -> current.regionHealth(),
                () -> current.config().lagThresholds(), extension, config.agentOptions().region().isPresent() ? this::evidence : null);
        Router router = endpoints.router(web.users().isEmpty() ? null : new BasicAuth(vertx, web.users()));
        HttpServerOptions options = new HttpServerOptions().setCompressionSupported(true);
        web.tls().ifPresent(tls -> options.setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile())));
        current = probing(config);
        vertx.setPeriodic(1000, id -> current.tick());
        return vertx.createHttpServer(options)
                .requestHandler(router)
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
        return old.engine().stop().eventually(() -> {
            registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("replag.")
                            && !m.getId().getName().startsWith("replag.build") && !m.getId().getName().startsWith("replag.config"))
                    .forEach(registry::remove);
            current = probing(next);
            config = next;
            reloads(true);
            LOG.info("replag reloaded: probing {} replication set(s), {} pair(s)", next.sets().size(), next.pairCount());
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
                    .thenRun(() -> LOG.info("replag stopped"))
                    .toCompletableFuture();
        }
        return stopped;
    }
}
