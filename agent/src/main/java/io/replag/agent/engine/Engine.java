package io.replag.agent.engine;

import io.vertx.core.Future;

import java.util.List;

/** All replication sets of one agent. Lifecycle: start once; stop is idempotent. */
public final class Engine {
    private final List<SetProbe> sets;
    private boolean started;
    private Future<Void> stopped;

    public Engine(List<SetProbe> sets) {
        this.sets = List.copyOf(sets);
    }

    public List<SetProbe> sets() {
        return sets;
    }

    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("engine already started");
        }
        started = true;
        sets.forEach(SetProbe::start);
    }

    public synchronized Future<Void> stop() {
        if (stopped == null) {
            stopped = Future.join(sets.stream().map(SetProbe::stop).toList()).mapEmpty();
        }
        return stopped;
    }

    public boolean firstRoundDone() {
        return sets.stream().allMatch(SetProbe::firstRoundDone);
    }
}
