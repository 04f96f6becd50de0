package io.replag.agent.engine;

/**
 * One canary seen in a target, with the interval that holds its true replication time (commit
 * in the source to first visibility in the target).
 *
 * @param seq             the canary's seq
 * @param writtenAtMicros when the writer sent it (the writer's clock)
 * @param lowerMicros     the true latency is at least this
 * @param upperMicros     and at most this
 * @param seenAtMicros    the end of the read that saw it (the reader's clock)
 * @param method          whose clocks bound the interval
 */
public record Arrival(long seq, long writtenAtMicros, long lowerMicros, long upperMicros, long seenAtMicros, Method method) {

    /** Whose clocks an interval rests on (the {@code method} label of {@code replag_measurement_method}). */
    public enum Method {
        /** The store servers' own clocks: the write's commit and the read's snapshot; distance does not widen it. */
        SERVER_CLOCK("server_clock"),
        /** replag's clock: from sending the write to answering the read; every round trip widens it. */
        CLIENT_CLOCK("client_clock");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public Arrival {
        if (lowerMicros < 0 || upperMicros < lowerMicros) {
            throw new IllegalArgumentException("interval [" + lowerMicros + ", " + upperMicros + "]");
        }
    }

    /** The point estimate: the middle of the interval (docs/design.md says why). */
    public long latencyMicros() {
        return (lowerMicros + upperMicros) / 2;
    }

    /** The interval's width. */
    public long uncertaintyMicros() {
        return upperMicros - lowerMicros;
    }
}
