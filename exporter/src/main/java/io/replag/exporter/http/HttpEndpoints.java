package io.replag.exporter.http;

import io.replag.agent.engine.Engine;
import io.replag.exporter.health.RegionHealth;
import io.vertx.core.Vertx;

import java.util.function.Supplier;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The HTTP surface: {@code /} (the status page) and {@code /status.json}, {@code /metrics}, {@code /health} (the process serves), {@code /ready} (the
 * first probe round is done), {@code /health/regions/{region}} (replication health for DNS
 * failover), and an {@link HttpExtension}'s routes (the demo's lab control API). Nothing else is served.
 */
public final class HttpEndpoints {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Vertx vertx;
    private final Supplier<String> metricsPage;
    private final Supplier<Engine> engine;
    private final Supplier<RegionHealth> regionHealth;
    private final Supplier<io.replag.exporter.config.LagThresholds> lagThresholds;
    private final HttpExtension extension;
    private final Supplier<io.vertx.core.json.JsonObject> evidence;
    private static final String STATUS_PAGE = loadStatusPage();

    private static String loadStatusPage() {
        try (var in = HttpEndpoints.class.getResourceAsStream("/status/index.html")) {
            return new String(java.util.Objects.requireNonNull(in, "status/index.html").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Suppliers, because a reload replaces the engine and region health while the server runs. */
    public HttpEndpoints(Vertx vertx, Supplier<String> metricsPage, Supplier<Engine> engine, Supplier<RegionHealth> regionHealth,
                         Supplier<io.replag.exporter.config.LagThresholds> lagThresholds, HttpExtension extension) {
        this(vertx, metricsPage, engine, regionHealth, lagThresholds, extension, null);
    }

    /** @param evidence this agent's facts for its peers' region health ({@code /health/evidence}); null: not served */
    public HttpEndpoints(Vertx vertx, Supplier<String> metricsPage, Supplier<Engine> engine, Supplier<RegionHealth> regionHealth,
                         Supplier<io.replag.exporter.config.LagThresholds> lagThresholds, HttpExtension extension, Supplier<io.vertx.core.json.JsonObject> evidence) {
        this.evidence = evidence;
        this.lagThresholds = lagThresholds;
        this.vertx = vertx;
        this.metricsPage = metricsPage;
        this.engine = engine;
        this.regionHealth = regionHealth;
        this.extension = extension;
    }

    private static final java.util.regex.Pattern BAD_ESCAPE = java.util.regex.Pattern.compile("%(?![0-9A-Fa-f]{2})");

    public Router router() {
        return router(null);
    }

    /** @param guard runs before every route (basic auth), or null */
    public Router router(io.vertx.core.Handler<RoutingContext> guard) {
        Router router = Router.router(vertx);
        // anyone can send a bad request before authenticating: a short answer and a rate-limited WARN, never a stack trace
        RequestErrors errors = new RequestErrors();
        router.route().failureHandler(errors::handle);
        // not 404/405: an unknown path keeps Vert.x's own short answer and is not worth a log line
        for (int status : new int[] {400, 413, 414, 431, 500}) {
            router.errorHandler(status, errors::handle);
        }
        // a bad percent-escape is the client's error (400), not the router's (500)
        router.route().handler(ctx -> {
            String uri = ctx.request().uri();
            if (uri != null && BAD_ESCAPE.matcher(uri).find()) {
                ctx.fail(400, new IllegalArgumentException("bad percent-escape in the request line"));
            } else {
                ctx.next();
            }
        });
        if (guard != null) {
            router.route().handler(guard);
        }
        router.get("/").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-cache").end(STATUS_PAGE));
        // Like /metrics, it walks every pair: render it off the event loop (it reads volatile snapshots only).
        router.get("/status.json").handler(ctx -> vertx.executeBlocking(
                () -> StatusJson.render(io.replag.agent.engine.SetView.merge(engine.get().sets()), regionHealth.get(), lagThresholds.get()).encode(), false).onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store").end(ar.result());
            } else {
                text(ctx, 500, "status failed: " + ar.cause().getClass().getSimpleName() + "\n");
            }
        }));
        router.get("/metrics").handler(this::metrics);
        router.get("/health").handler(ctx -> text(ctx, 200, "ok\n"));
        if (evidence != null) {
            // what this agent measures, for the region health of its peers (a quorum of agents); off the loop, like /metrics
            router.get("/health/evidence").handler(ctx -> vertx.executeBlocking(() -> evidence.get().encode(), false).onComplete(ar -> {
                if (ar.succeeded()) {
                    ctx.response().putHeader("Content-Type", "application/json").end(ar.result());
                } else {
                    text(ctx, 500, "evidence failed: " + ar.cause().getClass().getSimpleName() + "\n");
                }
            }));
        }
        router.get("/ready").handler(ctx -> {
            if (engine.get().firstRoundDone()) {
                text(ctx, 200, "ready\n");
            } else {
                text(ctx, 503, "starting: the first probe round is not done\n");
            }
        });
        // For Route 53 health checks: 200 or 503 and a short body that says why; 404 for an unknown region.
        router.get("/health/regions/:region").handler(ctx -> regionHealth.get().status(ctx.pathParam("region")).ifPresentOrElse(
                status -> text(ctx, status.healthy() ? 200 : 503, status.body()),
                () -> text(ctx, 404, "unknown region " + ctx.pathParam("region") + "\n")));
        if (extension != null) {
            extension.mount(vertx, router);
        }
        return router;
    }

    private void metrics(RoutingContext ctx) {
        String acceptEncoding = ctx.request().getHeader("Accept-Encoding");
        boolean gzip = acceptEncoding != null && acceptEncoding.toLowerCase(java.util.Locale.ROOT).contains("gzip");
        // Rendering (and compressing) hundreds of thousands of series takes tens of milliseconds:
        // both run on a worker, not on an event loop, which the server's own compression would use.
        vertx.executeBlocking(() -> gzip ? Gzip.of(metricsPage.get()) : io.vertx.core.buffer.Buffer.buffer(metricsPage.get()), false)
                .onComplete(ar -> {
            if (ar.succeeded()) {
                if (gzip) {
                    ctx.response().putHeader("Content-Encoding", "gzip");
                }
                ctx.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(ar.result());
            } else {
                text(ctx, 500, "scrape failed: " + ar.cause().getClass().getSimpleName() + "\n");
            }
        });
    }

    public static void text(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(body);
    }
}
