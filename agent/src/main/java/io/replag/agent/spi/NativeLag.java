package io.replag.agent.spi;

/**
 * The store's own figure for a pair, read alongside the canary so that dashboards can show both.
 *
 * @param sourceMetric where the figure comes from, e.g. {@code pg_last_xact_replay_timestamp};
 *                     it becomes the {@code source_metric} label
 * @param seconds      the lag the store reports; {@code NaN} when the store reports none
 *                     (replication stopped, no datapoint)
 */
public record NativeLag(String sourceMetric, double seconds) {
}
