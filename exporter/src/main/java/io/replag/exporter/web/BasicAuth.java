package io.replag.exporter.web;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HTTP basic authentication against bcrypt hashes. bcrypt is slow on purpose (tens of ms), so
 * it runs on a worker thread, and a successful check is remembered for 10 minutes by a digest of
 * the credentials (never the credentials themselves): Prometheus scraping every 15 s costs one
 * bcrypt per 10 minutes.
 *
 * <p>bcrypt runs on a small pool of its own, never on the workers that render {@code /metrics}, and
 * at most {@value #MAX_PENDING} checks wait for it: beyond that a request is refused without one.
 * A client whose checks keep failing waits before each further answer, longer with each failure
 * (up to {@value #MAX_PENALTY_MS} ms): a password-guessing flood costs its sender time, not the
 * scrape.
 */
public final class BasicAuth implements Handler<RoutingContext> {
    private static final long REMEMBER_NANOS = 10L * 60 * 1_000_000_000L;
    /** Checked when the user is unknown, so that unknown and known users take as long. */
    private static final String DUMMY = new String(BCrypt.withDefaults().hashToChar(10, "replag".toCharArray()));

    static final int MAX_PENDING = 32;
    static final long MAX_PENALTY_MS = 5_000;
    /** Failures a client may have before it waits; forgotten after a quiet 10 minutes. */
    static final int FREE_FAILURES = 5;

    private final Vertx vertx;
    private final Map<String, String> users;
    private final Map<String, Long> verified = new ConcurrentHashMap<>();
    private final io.vertx.core.WorkerExecutor pool;
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong checks = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong refusedUnchecked = new java.util.concurrent.atomic.AtomicLong();
    /** client address -> {failures, last failure nanos} */
    private final Map<String, long[]> failures = new ConcurrentHashMap<>();

    public BasicAuth(Vertx vertx, Map<String, String> users) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("basic_auth_users: no users; leave the section out to run without authentication");
        }
        this.vertx = vertx;
        this.users = Map.copyOf(users);
        this.pool = vertx.createSharedWorkerExecutor("replag-auth", 2);
    }

    /** bcrypt checks run so far. */
    public long checks() {
        return checks.get();
    }

    /** Requests refused without a check because {@value #MAX_PENDING} checks were waiting. */
    public long refusedUnchecked() {
        return refusedUnchecked.get();
    }

    @Override
    public void handle(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            deny(ctx);
            return;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            deny(ctx);
            return;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            deny(ctx);
            return;
        }
        String user = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        String digest = digest(decoded);
        Long at = verified.get(digest);
        if (at != null && System.nanoTime() - at < REMEMBER_NANOS) {
            ctx.next();
            return;
        }
        String client = ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress();
        long penalty = penaltyMillis(client);
        if (penalty > 0) {
            vertx.setTimer(penalty, id -> check(ctx, client, user, password, digest));
        } else {
            check(ctx, client, user, password, digest);
        }
    }

    private void check(RoutingContext ctx, String client, String user, String password, String digest) {
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            refusedUnchecked.incrementAndGet();
            failed(client);
            deny(ctx);
            return;
        }
        String hash = users.get(user);
        pool.executeBlocking(() -> {
            checks.incrementAndGet();
            return BCrypt.verifyer().verify(password.toCharArray(), (hash != null ? hash : DUMMY).toCharArray()).verified && hash != null;
        }, false).onComplete(ar -> {
            pending.decrementAndGet();
            if (ar.succeeded() && ar.result()) {
                verified.put(digest, System.nanoTime());
                failures.remove(client);
                ctx.next();
            } else {
                failed(client);
                deny(ctx);
            }
        });
    }

    /** 0 for the first failures, then 100 ms doubling with each further one, up to {@value #MAX_PENALTY_MS} ms. */
    private long penaltyMillis(String client) {
        long[] f = failures.get(client);
        if (f == null) {
            return 0;
        }
        if (System.nanoTime() - f[1] > REMEMBER_NANOS) {
            failures.remove(client);
            return 0;
        }
        long over = f[0] - FREE_FAILURES;
        return over < 0 ? 0 : Math.min(MAX_PENALTY_MS, 100L << Math.min(over, 10));
    }

    private void failed(String client) {
        if (failures.size() > 10_000) {
            failures.clear(); // bounded memory under a spread-out flood; the pending cap still holds
        }
        failures.compute(client, (c, f) -> f == null ? new long[] {1, System.nanoTime()} : new long[] {f[0] + 1, System.nanoTime()});
    }

    private static void deny(RoutingContext ctx) {
        ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Basic realm=\"replag\"")
                .putHeader("Content-Type", "text/plain; charset=utf-8").end("authentication required\n");
    }

    private static String digest(String credentials) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(credentials.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
