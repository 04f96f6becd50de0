package io.replag.agent.spi;

import io.vertx.core.Future;

import java.util.List;

/**
 * What a store does for {@code replag burst} (docs/burst.md): many small records of a run written
 * in the source region, looked for in the others, and removed afterwards. Only the store's I/O:
 * pacing, read times, deadlines and the tally live once, in the burst runner. Non-blocking, as
 * {@link CanaryStore}. A store offers it through {@link CanaryStore#burst()}.
 */
public interface BurstRecords {

    /** At most this many records per {@link #write} call (DynamoDB's BatchWriteItem: 25). */
    int writeBatch();

    /** At most this many records per {@link #read} call (DynamoDB's BatchGetItem: 100). */
    int readBatch();

    /**
     * Writes records {@code indexes} of {@code run} in {@code region}, each a new record, with
     * {@code writtenAtMicros} in it.
     *
     * @return the records the store refused for throughput (DynamoDB's unprocessed items), not
     *         written; empty when all were. Any other failure fails the future.
     */
    Future<List<Long>> write(String region, BurstRun run, List<Long> indexes, long writtenAtMicros);

    /** Which of {@code indexes} are visible in {@code region} now, with the strongest read the store offers there. */
    Future<Read> read(String region, BurstRun run, List<Long> indexes);

    /**
     * Removes the run's records in {@code region} (the source; a store whose deletes replicate
     * needs no other), or leaves them to expire where the store does that itself.
     *
     * @return what was done, for the report ("deleted 100000", "expire by TTL within 48 h")
     */
    Future<String> cleanup(String region, BurstRun run, long records);

    /**
     * What the burst will cost at the store's list prices, printed before it starts: one line,
     * from the same prices as README's cost tables.
     *
     * @param records        records written in the source
     * @param targets        regions each is replicated to and read in
     * @param readsPerRecord reads of each record per target (records that arrive by read-after)
     */
    String costEstimate(long records, int targets, double readsPerRecord);

    /**
     * A read's answer.
     *
     * @param visible    the records it saw
     * @param unanswered the records it did not get to (DynamoDB's unprocessed keys): neither seen nor missed
     */
    record Read(List<Long> visible, List<Long> unanswered) {
        public Read {
            visible = List.copyOf(visible);
            unanswered = List.copyOf(unanswered);
        }

        public static Read of(List<Long> visible) {
            return new Read(visible, List.of());
        }
    }
}
