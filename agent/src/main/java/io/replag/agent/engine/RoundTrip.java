package io.replag.agent.engine;

/**
 * The round trip to one endpoint, as the fastest of its last 8 canary calls: what distance
 * costs, not what a slow moment costs. The poll schedule uses half of it as the one-way time, to
 * aim reads at the moments after the commit it wants to see. An estimate for scheduling only: no
 * interval depends on it. Event-loop only.
 */
final class RoundTrip {
    /** Few, so that a change of route shows within seconds even for a writer's one call a second. */
    static final int WINDOW = 8;

    private final long[] recent = new long[WINDOW];
    private int next;
    private int count;
    private long min;

    void record(long micros) {
        long evicted = count == WINDOW ? recent[next] : Long.MAX_VALUE;
        recent[next] = Math.max(0, micros);
        next = (next + 1) % WINDOW;
        count = Math.min(WINDOW, count + 1);
        if (count == 1 || recent[(next + WINDOW - 1) % WINDOW] <= min) {
            min = recent[(next + WINDOW - 1) % WINDOW];
        } else if (evicted == min) {
            min = Long.MAX_VALUE;
            for (int i = 0; i < count; i++) {
                min = Math.min(min, recent[i]);
            }
        }
    }

    /** Half the fastest recent call, 0 before any. */
    long oneWayMicros() {
        return count == 0 ? 0 : min / 2;
    }
}
