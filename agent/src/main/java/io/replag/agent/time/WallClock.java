package io.replag.agent.time;

/**
 * The wall clock canaries are stamped with. Kept separate from the timers that drive the
 * schedule, so that tests can run on virtual time and, later, an agent per region can correct
 * for skew between writer and reader clocks.
 */
public interface WallClock {
    long nowMicros();

    static WallClock system() {
        return SystemWallClock.INSTANCE;
    }
}
