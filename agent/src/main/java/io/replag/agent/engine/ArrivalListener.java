package io.replag.agent.engine;

import io.replag.agent.config.ReplicationPair;
import io.replag.agent.config.ReplicationSet;

/** Told of every arrival as it is measured, on the engine's loop: keep it short. */
@FunctionalInterface
public interface ArrivalListener {
    ArrivalListener NONE = (set, pair, arrival) -> { };

    void arrived(ReplicationSet set, ReplicationPair pair, Arrival arrival);
}
