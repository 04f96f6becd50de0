package io.replag.agent.spi;

/**
 * When a store call took effect on the store server's own clock, as an interval of true time:
 * the server's readings widened by its clock's error bound, so that the true instant lies in
 * {@code [earliestMicros, latestMicros]} (µs since the epoch). SQL servers offer it
 * ({@code clock_timestamp()}, {@code SYSDATE(6)}); DynamoDB and S3 answers carry no precise time,
 * and answer {@link #UNKNOWN}.
 *
 * <p>With server times on both ends, a canary's interval sits on the servers' timeline and does
 * not grow with the distance between replag and the regions (docs/design.md).
 */
public record ServerTime(long earliestMicros, long latestMicros) {
    public static final ServerTime UNKNOWN = new ServerTime(-1, -1);

    public ServerTime {
        if (earliestMicros > latestMicros) {
            throw new IllegalArgumentException("earliest " + earliestMicros + " after latest " + latestMicros);
        }
    }

    /** A server reading {@code [fromMicros, toMicros]} widened by the clock's error bound on each side. */
    public static ServerTime of(long fromMicros, long toMicros, long clockErrorMicros) {
        return new ServerTime(fromMicros - clockErrorMicros, toMicros + clockErrorMicros);
    }

    public boolean known() {
        return earliestMicros >= 0;
    }
}
