package io.replag.agent.s3;

import java.util.Locale;

/**
 * Reads S3's {@code x-amz-replication-status} of a source object. S3 sets PENDING until every
 * destination has the object, then COMPLETED, or FAILED when it gave up (a permission or key
 * problem at the destination: S3 does not retry it). REPLICA marks a copy. No header at all means
 * no rule covers the object: the rule's filter misses the canary prefix.
 */
public final class ReplicationStatus {
    public static final String NONE = "NONE";
    /** Every value {@link #of} answers, in the order exported. */
    public static final java.util.List<String> ALL = java.util.List.of("PENDING", "COMPLETED", "FAILED", "REPLICA", NONE);

    private ReplicationStatus() {
    }

    /** The status as exported: PENDING, COMPLETED, FAILED, REPLICA or NONE. */
    public static String of(String header) {
        if (header == null || header.isBlank()) {
            return NONE;
        }
        String status = header.trim().toUpperCase(Locale.ROOT);
        return "COMPLETE".equals(status) ? "COMPLETED" : status;
    }
}
