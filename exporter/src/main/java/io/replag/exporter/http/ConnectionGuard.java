package io.replag.exporter.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Holds each connection to {@link ServerLimits}: closes it when its first request's headers have
 * not all arrived within the header timeout of the connection, or a later request's within the
 * idle timeout of the previous response (a scraper keeps its connection between scrapes, 15 to
 * 60 s apart), and closes new connections beyond the cap. A connection that sends nothing at all
 * is also closed by the server's own idle timeout; one that trickles bytes is closed here.
 *
 * <p>The deadlines run on a thread of their own: a Vert.x timer set from the connection handler
 * is queued on the connection's context and would only run once the connection has gone.
 */
public final class ConnectionGuard implements AutoCloseable {
    private final ServerLimits limits;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "replag-http-deadlines");
        t.setDaemon(true);
        return t;
    });
    /** connection -> the deadline of its next request's headers. */
    private final Map<HttpConnection, ScheduledFuture<?>> waiting = new IdentityHashMap<>();

    public ConnectionGuard(ServerLimits limits) {
        this.limits = limits;
    }

    /** For {@code HttpServer.connectionHandler}. */
    public void connected(HttpConnection connection) {
        int now = open.incrementAndGet();
        connection.closeHandler(v -> {
            open.decrementAndGet();
            disarm(connection);
        });
        if (now > limits.maxConnections()) {
            refused.incrementAndGet();
            connection.close();
            return;
        }
        arm(connection, limits.headerTimeout().toMillis());
    }

    /** Wraps the request handler: a request whose headers arrived stops the clock until its response ends. */
    public Handler<HttpServerRequest> guarding(Handler<HttpServerRequest> handler) {
        return request -> {
            HttpConnection connection = request.connection();
            disarm(connection);
            request.response().endHandler(v -> arm(connection, limits.idleTimeout().toMillis()));
            handler.handle(request);
        };
    }

    private void arm(HttpConnection connection, long millis) {
        synchronized (waiting) {
            ScheduledFuture<?> previous = waiting.put(connection, deadlines.schedule(() -> expire(connection),
                    millis, TimeUnit.MILLISECONDS));
            if (previous != null) {
                previous.cancel(false);
            }
        }
    }

    private void expire(HttpConnection connection) {
        synchronized (waiting) {
            if (waiting.remove(connection) == null) {
                return;
            }
        }
        timedOut.incrementAndGet();
        connection.close();
    }

    private void disarm(HttpConnection connection) {
        synchronized (waiting) {
            ScheduledFuture<?> deadline = waiting.remove(connection);
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
    }

    public int open() {
        return open.get();
    }

    /** Connections closed at once because {@link ServerLimits#maxConnections()} were open. */
    public long refused() {
        return refused.get();
    }

    /** Connections closed because a request's headers did not arrive in time. */
    public long timedOut() {
        return timedOut.get();
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
    }
}
