package io.replag.agent.spi;

/**
 * One of the store's own figures for a pair, read alongside the canary so that dashboards can show both.
 *
 * @param sourceMetric where the figure comes from, e.g. {@code pg_last_xact_replay_timestamp};
 *                     it becomes the {@code source_metric} label
 * @param seconds      the lag the store reports; {@code NaN} when it reports none
 * @param replication  whether the store says replication runs: {@link Replication#STOPPED} is a
 *                     state of its own (MySQL's NULL {@code Seconds_Behind_Source}), never a lag of 0
 */
public record NativeLag(String sourceMetric, double seconds, Replication replication) {

    /** What the store says of replication itself; UNKNOWN for figures that say nothing of it. */
    public enum Replication { UNKNOWN, RUNNING, STOPPED }

    public NativeLag(String sourceMetric, double seconds) {
        this(sourceMetric, seconds, Replication.UNKNOWN);
    }

    /** The store reports replication as stopped: no lag figure, and a stopped state. */
    public static NativeLag stopped(String sourceMetric) {
        return new NativeLag(sourceMetric, Double.NaN, Replication.STOPPED);
    }
}
