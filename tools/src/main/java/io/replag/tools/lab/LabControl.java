package io.replag.tools.lab;

import io.replag.lab.Fault;
import io.replag.lab.Lab;
import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;
import io.replag.lab.distance.Geography;
import io.replag.exporter.http.HttpEndpoints;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The lab control API, mounted in demo mode only:
 * <ul>
 *   <li>{@code GET /lab/links}: every link as {@code {"store","source","target","delayMs","paused"}}</li>
 *   <li>{@code PUT /lab/links/{store}/{source}/{target}} with {@code {"delayMs": 1500, "paused": false}}
 *   (either field may be left out)</li>
 *   <li>{@code PUT /lab/regions/{store}/{region}} with {@code {"running": false}}: stop or start a region's server</li>
 *   <li>{@code GET /lab/faults}, {@code PUT /lab/faults/{store}/{region}} with
 *   {@code {"latencyMs": 2000, "fault": "throttle"}} ({@code none}, {@code throttle}, {@code error}, {@code reset}):
 *   the fault proxy in front of a region's endpoint</li>
 *   <li>{@code GET /lab/distance}: the geography, replag's home and every round trip;
 *   {@code PUT /lab/distance} with {@code {"preset": "remote:300", "home": "eu-west-1", "rttMs": {"us-east-1|eu-west-1": 300}}}
 *   (any of them; a preset first, then single round trips)</li>
 * </ul>
 * Lab operations block (processes, JDBC), so they run on worker threads.
 */
public final class LabControl {
    private final Vertx vertx;
    private final Lab lab;

    private LabControl(Vertx vertx, Lab lab) {
        this.vertx = vertx;
        this.lab = lab;
    }

    /** The lab control API as routes for the exporter's HTTP server; null without a lab. */
    public static io.replag.exporter.http.HttpExtension of(Lab lab) {
        return lab == null ? null : (vertx, router) -> new LabControl(vertx, lab).mount(router);
    }

    private void mount(Router router) {
        // the lab API can stop servers: a page on another site must not reach it through DNS rebinding
        router.route("/lab/*").handler(LabControl::loopbackHostOnly);
        router.route("/lab/*").handler(BodyHandler.create().setBodyLimit(4096));
        router.get("/lab/links").handler(ctx -> run(ctx, () -> {
            JsonArray links = new JsonArray();
            lab.links().forEach(l -> links.add(json(l)));
            return links.encodePrettily();
        }));
        router.put("/lab/links/:store/:source/:target").handler(this::changeLink);
        router.put("/lab/regions/:store/:region").handler(this::changeRegion);
        router.get("/lab/faults").handler(ctx -> run(ctx, () -> {
            JsonArray faults = new JsonArray();
            lab.stores().forEach(s -> s.faults().forEach((region, f) -> faults.add(new JsonObject().put("store", s.store())
                    .put("region", region).put("latencyMs", f.latencyMs()).put("fault", f.kind()))));
            return faults.encodePrettily();
        }));
        router.put("/lab/faults/:store/:region").handler(this::changeFault);
        router.get("/lab/distance").handler(ctx -> run(ctx, () -> distance().encodePrettily()));
        router.put("/lab/distance").handler(this::changeDistance);
    }

    private JsonObject distance() {
        Geography g = lab.geography();
        JsonObject rtt = new JsonObject();
        g.matrix().forEach(rtt::put);
        return new JsonObject().put("geography", g.name()).put("home", g.enabled() ? g.home() : null).put("rttMs", rtt);
    }

    private void changeDistance(RoutingContext ctx) {
        JsonObject body = body(ctx);
        if (body == null) {
            return;
        }
        Map<String[], Long> rtts = new LinkedHashMap<>();
        String home;
        String preset;
        try {
            for (String key : body.fieldNames()) {
                if (!key.equals("home") && !key.equals("rttMs") && !key.equals("preset")) {
                    throw new IllegalArgumentException(key + ": unknown field (known: preset, home, rttMs)");
                }
            }
            Object h = body.getValue("home");
            if (h != null && !(h instanceof String)) {
                throw new IllegalArgumentException("home: must be a region name, found " + h);
            }
            home = (String) h;
            Object p = body.getValue("preset");
            if (p != null && !(p instanceof String)) {
                throw new IllegalArgumentException("preset: must be none, demo, remote:<ms> or uniform:<ms>, found " + p);
            }
            preset = (String) p;
            Object m = body.getValue("rttMs");
            if (m != null && !(m instanceof JsonObject)) {
                throw new IllegalArgumentException("rttMs: must be an object of \"region|region\": milliseconds, found " + m);
            }
            if (m != null) {
                for (var e : ((JsonObject) m)) {
                    String[] pair = e.getKey().split("\\|");
                    if (pair.length != 2) {
                        throw new IllegalArgumentException("rttMs." + e.getKey() + ": the key must be two places joined by |, e.g. us-east-1|eu-west-1");
                    }
                    rtts.put(pair, wholeMillis("rttMs." + e.getKey(), e.getValue(), null));
                }
            }
        } catch (IllegalArgumentException e) {
            HttpEndpoints.text(ctx, 400, e.getMessage() + "\n");
            return;
        }
        run(ctx, () -> {
            Geography g = lab.geography();
            if (!g.enabled()) {
                throw new IllegalArgumentException("the lab runs without distance (--geography none); restart it with --geography demo");
            }
            if (preset != null) {
                g.preset(preset, home != null ? home : g.home());
            }
            rtts.forEach((pair, ms) -> g.rttMs(pair[0], pair[1], ms));
            if (home != null && preset == null) {
                g.home(home);
            }
            org.slf4j.LoggerFactory.getLogger(LabControl.class).info("lab distance: replag at home in {}, round trips {} ms", g.home(), g.matrix());
            return distance().encodePrettily();
        });
    }

    private void changeFault(RoutingContext ctx) {
        JsonObject body = body(ctx);
        if (body == null) {
            return;
        }
        Fault fault;
        try {
            for (String key : body.fieldNames()) {
                if (!key.equals("latencyMs") && !key.equals("fault")) {
                    throw new IllegalArgumentException(key + ": unknown field (known: latencyMs, fault)");
                }
            }
            long latency = wholeMillis("latencyMs", body.getValue("latencyMs", 0), ctx.body().asString());
            Object kind = body.getValue("fault", "none");
            fault = new Fault(latency, String.valueOf(kind));
        } catch (IllegalArgumentException e) {
            HttpEndpoints.text(ctx, 400, e.getMessage() + "\n");
            return;
        }
        String store = ctx.pathParam("store"), region = ctx.pathParam("region");
        run(ctx, () -> {
            requireRegion(store, region);
            Fault set = lab.store(store).fault(region, fault);
            return new JsonObject().put("store", store).put("region", region).put("latencyMs", set.latencyMs())
                    .put("fault", set.kind()).encodePrettily();
        });
    }

    private void changeLink(RoutingContext ctx) {
        JsonObject body = body(ctx);
        if (body == null) {
            return;
        }
        Optional<Long> delay;
        Optional<Boolean> paused;
        Optional<Boolean> dropping;
        Optional<Long> jitter;
        try {
            Object d = body.getValue("delayMs");
            Object p = body.getValue("paused");
            if (p != null && !(p instanceof Boolean)) {
                throw new IllegalArgumentException("paused: must be true or false, found " + p);
            }
            Object drop = body.getValue("dropping");
            if (drop != null && !(drop instanceof Boolean)) {
                throw new IllegalArgumentException("dropping: must be true or false, found " + drop);
            }
            Object j = body.getValue("jitterMs");
            for (String key : body.fieldNames()) {
                if (!List.of("delayMs", "paused", "dropping", "jitterMs").contains(key)) {
                    throw new IllegalArgumentException(key + ": unknown field (known: delayMs, jitterMs, paused, dropping)");
                }
            }
            jitter = j == null ? Optional.empty() : Optional.of(wholeMillis("jitterMs", j, ctx.body().asString()));
            delay = d == null ? Optional.empty() : Optional.of(wholeMillis("delayMs", d, ctx.body().asString()));
            paused = Optional.ofNullable((Boolean) p);
            dropping = Optional.ofNullable((Boolean) drop);
        } catch (IllegalArgumentException e) {
            HttpEndpoints.text(ctx, 400, e.getMessage() + "\n");
            return;
        }
        String store = ctx.pathParam("store"), source = ctx.pathParam("source"), target = ctx.pathParam("target");
        run(ctx, () -> json(lab.change(store, source, target, new LinkChange(delay, paused, dropping, jitter))).encodePrettily());
    }

    private void changeRegion(RoutingContext ctx) {
        JsonObject body = body(ctx);
        if (body == null) {
            return;
        }
        Object running = body.getValue("running");
        if (!(running instanceof Boolean)) {
            HttpEndpoints.text(ctx, 400, "running: must be true or false, found " + running + "\n");
            return;
        }
        String store = ctx.pathParam("store"), region = ctx.pathParam("region");
        run(ctx, () -> {
            requireRegion(store, region);
            if ((Boolean) running) {
                lab.store(store).startRegion(region);
            } else {
                lab.store(store).stopRegion(region);
            }
            return new JsonObject().put("store", store).put("region", region).put("running", running).encodePrettily();
        });
    }

    private static JsonObject body(RoutingContext ctx) {
        try {
            JsonObject body = ctx.body().asJsonObject();
            if (body == null) {
                HttpEndpoints.text(ctx, 400, "body: a JSON object is required\n");
            }
            return body;
        } catch (DecodeException | ClassCastException e) {
            HttpEndpoints.text(ctx, 400, "body: not a JSON object\n");
            return null;
        }
    }

    private void run(RoutingContext ctx, Callable<String> work) {
        vertx.executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.response().putHeader("Content-Type", "application/json").end(ar.result() + "\n");
            } else if (ar.cause() instanceof NoSuchElementException) {
                HttpEndpoints.text(ctx, 404, ar.cause().getMessage() + "\n");
            } else if (ar.cause() instanceof IllegalArgumentException || ar.cause() instanceof UnsupportedOperationException) {
                HttpEndpoints.text(ctx, 400, ar.cause().getMessage() + "\n");
            } else {
                HttpEndpoints.text(ctx, 500, "lab operation failed: " + ar.cause().getClass().getSimpleName()
                        + " (the server log says more); GET /lab/links shows the links as they are now\n");
            }
        });
    }

    private static JsonObject json(LinkState l) {
        return new JsonObject().put("store", l.store()).put("source", l.source()).put("target", l.target())
                .put("delayMs", l.delayMs()).put("jitterMs", l.jitterMs()).put("distanceMs", l.distanceMs())
                .put("paused", l.paused()).put("dropping", l.dropping()).put("dropped", l.dropped());
    }

    /** Host names and addresses the lab API answers to. */
    static boolean loopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("[::1]")
                || h.matches("127(\\.\\d{1,3}){3}");
    }

    private static void loopbackHostOnly(io.vertx.ext.web.RoutingContext ctx) {
        var authority = ctx.request().authority();
        if (authority == null || !loopbackHost(authority.host())) {
            io.replag.exporter.http.HttpEndpoints.text(ctx, 403,
                    "the lab API answers only requests to a loopback name or address (Host: localhost or 127.0.0.1)\n");
            return;
        }
        ctx.next();
    }

    /** The longest delay, jitter, latency or round trip the lab takes: an hour. */
    static final long MAX_MILLIS = 3_600_000;

    /**
     * A whole number of milliseconds from 0 to {@value #MAX_MILLIS}, exactly as sent: 1.5 is not
     * truncated, 2^64 + 2000 does not wrap, and the error repeats the value as it came.
     */
    static long wholeMillis(String field, Object value, String rawBody) {
        boolean whole = value instanceof Integer || value instanceof Long || value instanceof Short
                || (value instanceof java.math.BigInteger b && b.bitLength() < 63);
        if (!whole || ((Number) value).longValue() < 0 || ((Number) value).longValue() > MAX_MILLIS) {
            String sent = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
            if (rawBody != null) {
                // the number as it was written (Jackson reads 1e999999 as Infinity)
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + java.util.regex.Pattern.quote(field.contains(".")
                        ? field.substring(field.lastIndexOf('.') + 1) : field) + "\"\\s*:\\s*([-+0-9.eE]{1,40})").matcher(rawBody);
                if (m.find() && !(value instanceof String)) {
                    sent = m.group(1);
                }
            }
            throw new IllegalArgumentException(field + ": must be a whole number of milliseconds from 0 to " + MAX_MILLIS + ", found " + sent);
        }
        return ((Number) value).longValue();
    }

    /** @throws NoSuchElementException (404) for a region the store's lab does not run */
    private void requireRegion(String store, String region) {
        var regions = lab.store(store).ports().keySet();
        if (!regions.contains(region)) {
            throw new NoSuchElementException("no region \"" + region.replaceAll("[^A-Za-z0-9._/-]", "?") + "\" in the " + store + " lab (regions: "
                    + String.join(", ", regions) + ")");
        }
    }
}
