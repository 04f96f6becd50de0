package io.replag.agent.spi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Why a store call failed, as the {@code reason} label says it: a few stable words. The engine
 * names the generic ones; a store names its own with {@link #of} or, for a missing table or bucket
 * that {@link CanaryStore#prepareWriter} can deal with, {@link #missing}.
 *
 * @param label         the label value: lower-case words joined by underscores
 * @param needsPrepare  true if the writer should run {@link CanaryStore#prepareWriter} again
 *                      before its next write (the canary's table or bucket is gone)
 */
public record Reason(String label, boolean needsPrepare) {
    private static final Pattern LABEL = Pattern.compile("[a-z][a-z0-9_]{0,39}");

    public static final Reason TIMEOUT = of("timeout");
    public static final Reason STALE_SEQ = of("stale_seq");
    public static final Reason UNKNOWN_HOST = of("unknown_host");
    public static final Reason CONNECTION_REFUSED = of("connection_refused");
    public static final Reason CONNECTION_CLOSED = of("connection_closed");
    public static final Reason CONNECTION_RESET = of("connection_reset");
    public static final Reason TLS_FAILED = of("tls_failed");
    public static final Reason AUTH_FAILED = of("auth_failed");
    public static final Reason ACCESS_DENIED = of("access_denied");
    public static final Reason THROTTLED = of("throttled");
    public static final Reason TABLE_MISSING = missing("table_missing");
    public static final Reason OTHER = of("other");

    public Reason {
        Objects.requireNonNull(label, "label");
        if (!LABEL.matcher(label).matches()) {
            throw new IllegalArgumentException("reason label must be lower-case words joined by _, found \"" + label + "\"");
        }
    }

    /** A reason the writer can do nothing about but retry. */
    public static Reason of(String label) {
        return new Reason(label, false);
    }

    /** The canary's table or bucket is missing: the writer prepares again before its next write. */
    public static Reason missing(String label) {
        return new Reason(label, true);
    }

    @Override
    public String toString() {
        return label;
    }
}
