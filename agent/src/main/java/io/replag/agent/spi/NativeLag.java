package io.replag.agent.spi;

/**
 * One of the store's own figures for a pair, read alongside the canary so that dashboards can show both.
 *
 * @param sourceMetric where the figure comes from, e.g. {@code pg_last_xact_replay_timestamp};
 *                     it becomes the {@code source_metric} label
 * @param value        the figure in its {@code unit}: the lag in seconds the store reports, or bytes;
 *                     {@code NaN} when it reports none
 * @param replication  whether the store says replication runs: {@link Replication#STOPPED} is a
 *                     state of its own (MySQL's NULL {@code Seconds_Behind_Source}), never a lag of 0
 * @param unit         what the figure measures: a lag in seconds, the replication stream still to
 *                     receive in bytes, or only the {@code replication} state
 */
public record NativeLag(String sourceMetric, double value, Replication replication, Unit unit) {

    /** What the store says of replication itself; UNKNOWN for figures that say nothing of it. */
    public enum Replication { UNKNOWN, RUNNING, STOPPED }

    /**
     * SECONDS: {@code replag_native_lag_seconds}; BYTES: {@code replag_native_lag_bytes} (how much of
     * the replication stream the target has still to receive); STATE: only
     * {@code replag_native_replication_stopped} (Redis's {@code master_link_status}).
     */
    public enum Unit { SECONDS, BYTES, STATE }

    public NativeLag(String sourceMetric, double seconds, Replication replication) {
        this(sourceMetric, seconds, replication, Unit.SECONDS);
    }

    public NativeLag(String sourceMetric, double seconds) {
        this(sourceMetric, seconds, Replication.UNKNOWN);
    }

    /** The store reports replication as stopped: no lag figure, and a stopped state. */
    public static NativeLag stopped(String sourceMetric) {
        return new NativeLag(sourceMetric, Double.NaN, Replication.STOPPED);
    }

    /** A figure that is only a state, running or stopped, with no lag. */
    public static NativeLag state(String sourceMetric, boolean running) {
        return new NativeLag(sourceMetric, Double.NaN, running ? Replication.RUNNING : Replication.STOPPED, Unit.STATE);
    }

    /** How many bytes of the replication stream the target is behind its source. */
    public static NativeLag bytes(String sourceMetric, double bytes) {
        return new NativeLag(sourceMetric, bytes, Replication.UNKNOWN, Unit.BYTES);
    }
}
