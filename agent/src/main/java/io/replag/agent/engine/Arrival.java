package io.replag.agent.engine;

/**
 * One canary seen in a target.
 *
 * @param seq                the canary's seq
 * @param latencyMicros      from the canary's write time to the end of the first read that saw it;
 *                           the true latency lies in {@code [latency - uncertainty, latency]}
 * @param uncertaintyMicros  from the start of the last read that missed it (or its write time,
 *                           if later) to the end of the first read that saw it
 * @param seenAtMicros       the end of the read that saw it
 */
public record Arrival(long seq, long latencyMicros, long uncertaintyMicros, long seenAtMicros) {
}
