package io.replag.lab;

/**
 * What a region's fault proxy does to each request: add latency, then either forward it or
 * answer with a fault.
 *
 * @param latencyMs added before each request is handled (0: none)
 * @param kind      {@code none} (forward), {@code throttle} (the store's throttling error),
 *                  {@code error} (HTTP 500), {@code reset} (the connection is reset, no answer),
 *                  {@code deny_writes} (writes get the store's access-denied error, reads are
 *                  forwarded: an IAM change that takes away PutItem or PutObject alone)
 */
public record Fault(long latencyMs, String kind) {
    public static final java.util.Set<String> KINDS = java.util.Set.of("none", "throttle", "error", "reset", "deny_writes");
    public static final Fault NONE = new Fault(0, "none"); // after KINDS: the constructor reads it

    public Fault {
        if (latencyMs < 0) {
            throw new IllegalArgumentException("latencyMs: must be >= 0, found " + latencyMs);
        }
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("fault: must be one of none, throttle, error, reset, deny_writes, found " + kind);
        }
    }
}
