package io.replag.agent.engine;

/**
 * The round trip to one endpoint, as the fastest of its recent canary calls: what distance
 * costs, not what a slow moment costs. The poll schedule uses half of it as the one-way time, to
 * aim reads at the moments after the commit it wants to see. An estimate for scheduling only: no
 * interval depends on it. Event-loop only.
 */
final class RoundTrip {
    private static final int WINDOW = 32;

    private final long[] recent = new long[WINDOW];
    private int next;
    private int count;

    void record(long micros) {
        recent[next] = Math.max(0, micros);
        next = (next + 1) % WINDOW;
        count = Math.min(WINDOW, count + 1);
    }

    /** Half the fastest recent call, 0 before any. */
    long oneWayMicros() {
        if (count == 0) {
            return 0;
        }
        long min = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            min = Math.min(min, recent[i]);
        }
        return min / 2;
    }
}
