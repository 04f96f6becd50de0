package io.replag.agent.spi;

import io.vertx.core.Future;

import java.util.Optional;

/**
 * What a store has to do so that replag can measure it: only its own I/O. Scheduling, polling,
 * deadlines, timeouts, lag semantics and metrics live once, in the engine.
 *
 * <p>Every method must be non-blocking: it returns at once and completes the future later. The
 * engine puts its own timeout on every call, so a store may rely on that and need not add one,
 * but it must not hold resources forever for a call that never answers.
 *
 * <p>Regions are the names used in the replication set's configuration.
 */
public interface CanaryStore {

    /**
     * Makes the region ready to receive canary writes, e.g. creates the canary table if the
     * configuration allows it. Called once per writing region before its first write, and again
     * after a failure.
     */
    Future<Void> prepareWriter(String region);

    /**
     * Writes (overwrites) the canary in its source region. Must not replace a canary whose seq is
     * higher: a slow, retried or reordered write can never move the record backwards; such a write
     * fails with {@link StaleSeqException}. (S3 is the exception: it has no conditional write, so
     * there the rule rests on one writer per agent id.)
     *
     * @return when the write took effect on the server's clock, from before the record changed to
     *         after it committed; {@link ServerTime#UNKNOWN} where the store offers no server time
     */
    Future<ServerTime> write(String region, Canary canary);

    /**
     * Reads the canary for {@code key} as it is visible in {@code region}, with the strongest
     * read the store offers in that region. For a store with a server clock, {@link Sighting#at}
     * must bound the moment the read's snapshot was taken: a canary it did not see became visible
     * after {@code earliest}, one it saw was visible by {@code latest}.
     */
    Future<Sighting> read(String region, CanaryKey key);

    /** True if writes and reads answer with {@link ServerTime}s; the arrival's interval then uses them. */
    default boolean serverClock() {
        return false;
    }

    /**
     * Reads the store's own lag figures for replication from {@code sourceRegion} to
     * {@code targetRegion} (one per source metric), or none if the store has none for that pair now.
     */
    Future<java.util.List<NativeLag>> readNativeLag(String sourceRegion, String targetRegion);

    /** True if {@link #readNativeOperations} says something; the engine asks it only then. */
    default boolean reportsNativeOperations() {
        return false;
    }

    /**
     * The store's own counts of replication operations for the pair, by metric name (S3:
     * {@code OperationsPendingReplication}, {@code OperationsFailedReplication}); empty when it
     * has none. Read at the same cadence as {@link #readNativeLag}.
     */
    default Future<java.util.Map<String, Double>> readNativeOperations(String sourceRegion, String targetRegion) {
        return Future.succeededFuture(java.util.Map.of());
    }

    /** True if {@link #readReplicationStatus} says something; the engine then reads it per source. */
    default boolean reportsReplicationStatus() {
        return false;
    }

    /**
     * Every value {@link #readReplicationStatus} can answer (S3: PENDING, COMPLETED, ...), each
     * exported from the start as a 0/1 series of {@code replag_replication_status}.
     */
    default java.util.List<String> replicationStatuses() {
        return java.util.List.of();
    }

    /**
     * The replication status the store itself keeps for the newest canary written in
     * {@code region} (S3: the source object's {@code x-amz-replication-status}: {@code PENDING},
     * {@code COMPLETED}, {@code FAILED}; {@code NONE} when no rule covers the object).
     */
    default Future<Optional<String>> readReplicationStatus(String region, CanaryKey key) {
        return Future.succeededFuture(Optional.empty());
    }

    /**
     * Names the reason of a failure for the {@code reason} label ({@link Reason#TABLE_MISSING},
     * {@link Reason#AUTH_FAILED}, a store's own {@code Reason.of("read_only")}, ...), when the store
     * knows better than the engine's generic classification. A reason made with
     * {@link Reason#missing} (the canary's table or bucket is gone) makes the writer call
     * {@link #prepareWriter} again before its next write. Must never include credentials.
     */
    default Optional<Reason> errorReason(Throwable failure) {
        return Optional.empty();
    }

    /**
     * The store's side of {@code replag burst}: many records under the run's own keys. Empty where
     * the store has none; the command then says so.
     */
    default Optional<BurstRecords> burst() {
        return Optional.empty();
    }

    /** Releases connections and clients. Idempotent. */
    Future<Void> close();
}
