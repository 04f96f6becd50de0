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
 */
public final class BasicAuth implements Handler<RoutingContext> {
    private static final long REMEMBER_NANOS = 10L * 60 * 1_000_000_000L;
    /** Checked when the user is unknown, so that unknown and known users take as long. */
    private static final String DUMMY = new String(BCrypt.withDefaults().hashToChar(10, "replag".toCharArray()));

    private final Vertx vertx;
    private final Map<String, String> users;
    private final Map<String, Long> verified = new ConcurrentHashMap<>();

    public BasicAuth(Vertx vertx, Map<String, String> users) {
        this.vertx = vertx;
        this.users = Map.copyOf(users);
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
        String hash = users.get(user);
        vertx.executeBlocking(() -> BCrypt.verifyer().verify(password.toCharArray(), (hash != null ? hash : DUMMY).toCharArray()).verified
                && hash != null, false).onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                verified.put(digest, System.nanoTime());
                ctx.next();
            } else {
                deny(ctx);
            }
        });
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
