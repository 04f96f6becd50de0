package io.replag.agent.engine;

import io.replag.agent.config.ReplicationPair;
import io.replag.agent.metrics.PairMeters;

/**
 * What reads one pair's target: {@link PairProbe} where this agent also writes the source's
 * canaries (single-process mode), {@link RemotePairProbe} where another agent does (per-region mode).
 */
interface PairReader {
    ReplicationPair pair();

    PairMeters meters();

    void start();

    void stop();

    /** Once an interval: read the target if nothing else did. */
    void readIfIdle();

    /** Lag now in seconds, NaN before any data. */
    double lagNowSeconds();

    boolean firstReadDone();
}
