package io.replag.exporter.http;

import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Answers a request that failed in the router (a bad percent-escape, no Host header, a body over
 * its limit, a handler that threw) with a short status line, and logs it as one WARN line without
 * a stack trace, at most once a minute per cause, with the count of the others. Anyone can send
 * such requests, before any authentication: they must not fill the log.
 */
public final class RequestErrors {
    private static final Logger LOG = LoggerFactory.getLogger(RequestErrors.class);
    static final long PERIOD_NANOS = 60_000_000_000L;

    private final Consumer<String> log;
    private final LongSupplier nanos;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        volatile long startedNanos;
        final AtomicLong suppressed = new AtomicLong();

        Window(long startedNanos) {
            this.startedNanos = startedNanos;
        }
    }

    public RequestErrors() {
        this(LOG::warn, System::nanoTime);
    }

    RequestErrors(Consumer<String> log, LongSupplier nanos) {
        this.log = log;
        this.nanos = nanos;
    }

    /** For {@code router.route().failureHandler} and {@code router.errorHandler}. */
    public void handle(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        int status = ctx.statusCode() >= 400 ? ctx.statusCode() : failure instanceof IllegalArgumentException ? 400 : 500;
        String cause = status + (failure == null ? "" : " " + failure.getClass().getSimpleName());
        report(cause, ctx.request().method() + " " + printable(ctx.request().uri()));
        if (!ctx.response().ended() && !ctx.response().headWritten()) {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .putHeader("Connection", "close").end(status < 500 ? "bad request\n" : "internal error\n");
        }
    }

    /** Logs the first of a cause at once, then at most once a period with how many were not logged. */
    void report(String cause, String example) {
        long now = nanos.getAsLong();
        Window w = windows.computeIfAbsent(cause, c -> new Window(now - PERIOD_NANOS));
        synchronized (w) {
            if (now - w.startedNanos >= PERIOD_NANOS) {
                long others = w.suppressed.getAndSet(0);
                w.startedNanos = now;
                log.accept("rejected request (" + cause + "): " + example
                        + (others > 0 ? " (and " + others + " more like it in the last minute)" : ""));
            } else {
                w.suppressed.incrementAndGet();
            }
        }
        if (windows.size() > 1_000) {
            windows.clear(); // a flood of distinct causes must not grow memory
        }
    }

    /** The request line as sent, cut short and stripped of control characters (no log injection). */
    static String printable(String uri) {
        if (uri == null) {
            return "";
        }
        String cut = uri.length() > 120 ? uri.substring(0, 120) + "..." : uri;
        return cut.replaceAll("[\\p{Cntrl}]", "?");
    }
}
