package io.replag.agent.clock;

/**
 * How far this agent's wall clock may be from true time, in µs: the bound every interval that
 * compares this agent's clock with another agent's is widened by. An agent per region reads a
 * canary written on another agent's clock, so both bounds go into each arrival's interval.
 */
@FunctionalInterface
public interface ClockBound {
    /** The bound now, in µs; never negative. */
    long errorBoundMicros();

    /** A configured bound that does not change. */
    static ClockBound fixed(long micros) {
        if (micros < 0) {
            throw new IllegalArgumentException("clock error bound must be >= 0, found " + micros + " µs");
        }
        return () -> micros;
    }
}
