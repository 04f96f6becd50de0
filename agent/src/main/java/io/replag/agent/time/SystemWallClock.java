package io.replag.agent.time;

import java.time.Instant;

/** Microsecond wall clock from {@link Instant#now()}, which has at least µs resolution on Linux JDK 17. */
final class SystemWallClock implements WallClock {
    static final SystemWallClock INSTANCE = new SystemWallClock();

    private SystemWallClock() {
    }

    @Override
    public long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
