package io.replag.agent.spi;

import java.util.Objects;

/**
 * A canary as written in its source region: a sequence number that only increases (also across
 * agent restarts) and the time of its write, with what an agent in another region needs to bound
 * the canary's replication time without having written it.
 *
 * <p>Lifecycle rules: one record per {@link CanaryKey}, overwritten by every write; a store must
 * never let a lower seq overwrite a higher one; a read in another region that returns
 * {@code seq >= n} proves canary n arrived there (it, or a later one that replaced it).
 *
 * @param writtenAtMicros     when the write was sent, on the writer's clock; for a store with a
 *                            server clock, the server's own time as the record changed (it stores it
 *                            itself): either way, no later than the commit
 * @param clockErrorMicros    the error bound of the clock {@code writtenAtMicros} is on (the writing
 *                            agent's, or the server's); 0 where unknown
 * @param writer              the writing agent's id ({@code name@region}); empty where unknown
 * @param prevSeq             the canary before this one, whose commit time this record bounds; 0 if none
 * @param prevCommittedMicros when canary {@code prevSeq} had certainly committed, on the same clock
 *                            as {@code writtenAtMicros} (its acknowledgement, or the server's time
 *                            after its commit); -1 if none
 */
public record Canary(CanaryKey key, long seq, long writtenAtMicros, long clockErrorMicros, String writer,
                     long prevSeq, long prevCommittedMicros) {
    public Canary {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(writer, "writer");
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be >= 1, found " + seq);
        }
    }

    /** A canary with only its seq and time (what single-process mode needs). */
    public Canary(CanaryKey key, long seq, long writtenAtMicros) {
        this(key, seq, writtenAtMicros, 0, "", 0, -1);
    }

    /** True if this record says when the canary before it had committed. */
    public boolean boundsPrevious() {
        return prevSeq > 0 && prevCommittedMicros >= 0;
    }
}
