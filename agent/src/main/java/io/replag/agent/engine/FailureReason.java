package io.replag.agent.engine;

import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.Reason;
import io.replag.agent.spi.StaleSeqException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Names a failure for the {@code reason} label: the store's own word first, then generic ones. */
public final class FailureReason {
    private FailureReason() {
    }

    public static Reason of(Throwable failure, CanaryStore store) {
        Throwable t = unwrap(failure);
        if (t instanceof CallTimeoutException) {
            return Reason.TIMEOUT;
        }
        if (t instanceof StaleSeqException) {
            return Reason.STALE_SEQ;
        }
        var own = store.errorReason(t);
        if (own.isPresent()) {
            return own.get();
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException) {
                return Reason.UNKNOWN_HOST;
            }
            if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
                return Reason.CONNECTION_REFUSED;
            }
            // Vert.x reports a failed handshake as a VertxException without the SSLException cause
            if (c instanceof javax.net.ssl.SSLException
                    || (c.getMessage() != null && c.getMessage().contains("SSL handshake failed"))) {
                return Reason.TLS_FAILED;
            }
            if (c instanceof ClosedChannelException) {
                return Reason.CONNECTION_CLOSED;
            }
            String name = c.getClass().getSimpleName();
            if (name.contains("Timeout")) {
                return Reason.TIMEOUT;
            }
            if (c.getMessage() != null && c.getMessage().contains("Connection reset")) {
                return Reason.CONNECTION_RESET;
            }
            if (c.getMessage() != null && c.getMessage().contains("Connection refused")) {
                return Reason.CONNECTION_REFUSED;
            }
            if (c.getMessage() != null && c.getMessage().toLowerCase().contains("closed")) {
                return Reason.CONNECTION_CLOSED;
            }
        }
        return Reason.OTHER;
    }

    /** A short description for the one log line per state change. */
    public static String detail(Throwable failure) {
        Throwable t = unwrap(failure);
        String message = t.getMessage() == null ? "" : t.getMessage().replaceAll("\\s+", " ");
        if (message.length() > 200) {
            message = message.substring(0, 200) + "...";
        }
        return t.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
