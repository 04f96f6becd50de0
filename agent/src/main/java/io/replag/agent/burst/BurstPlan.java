package io.replag.agent.burst;

import io.replag.agent.spi.BurstRun;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one {@code replag burst} does (docs/burst.md).
 *
 * @param resource  the replication set's name
 * @param store     its store key
 * @param source    the region written
 * @param targets   the regions read, the set's targets of {@code source}
 * @param records   how many records
 * @param rate      records per second to write at
 * @param readAfter each record is read in every target this long after its write was acknowledged
 * @param poll      reads of a record still unseen, from its write on, this far apart (latency
 *                  resolution); {@link Duration#ZERO}: only the read at {@code readAfter} and the
 *                  re-reads after it
 * @param deadline  a record not seen this long after its write is lost
 * @param run       the run's keys
 */
public record BurstPlan(String resource, String store, String source, List<String> targets, long records, double rate,
                        Duration readAfter, Duration poll, Duration deadline, BurstRun run) {
    /** Re-reads after the read at read-after start at the poll period (or this) and double, up to {@link #MAX_REREAD_GAP}. */
    static final Duration FIRST_REREAD_GAP = Duration.ofMillis(100);
    static final Duration MAX_REREAD_GAP = Duration.ofSeconds(1);

    public BurstPlan {
        Objects.requireNonNull(resource, "resource");
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("--source " + source + ": the set replicates nothing out of it (no target region)");
        }
        if (records < 1 || records > 10_000_000) {
            throw new IllegalArgumentException("--records: must be 1 to 10000000, found " + records);
        }
        if (!(rate > 0) || rate > 100_000) {
            throw new IllegalArgumentException("--rate: must be > 0 and at most 100000 records/s, found " + rate);
        }
        if (readAfter.isNegative() || readAfter.isZero()) {
            throw new IllegalArgumentException("--read-after: must be > 0, found " + readAfter.toMillis() + "ms");
        }
        if (poll.isNegative() || (!poll.isZero() && poll.toMillis() < 10)) {
            throw new IllegalArgumentException("--poll: must be 0 (off) or at least 10ms, found " + poll.toMillis() + "ms");
        }
        if (deadline.compareTo(readAfter) <= 0) {
            throw new IllegalArgumentException("--deadline: must be longer than --read-after (" + readAfter.toMillis()
                    + "ms), found " + deadline.toMillis() + "ms");
        }
    }
}
