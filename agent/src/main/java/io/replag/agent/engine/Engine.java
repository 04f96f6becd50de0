package io.replag.agent.engine;

import io.vertx.core.Future;

import java.util.List;

/** All replication sets of one agent. Lifecycle: start once; stop is idempotent. */
public final class Engine {
    private final List<SetProbe> sets;
    /** Probes already running when this engine took them over (a reload keeps unchanged sets): not started again. */
    private final java.util.Set<SetProbe> running;
    private boolean started;
    private Future<Void> stopped;

    public Engine(List<SetProbe> sets) {
        this(sets, java.util.Set.of());
    }

    /** @param running those of {@code sets} that already run (taken over from a previous engine) */
    public Engine(List<SetProbe> sets, java.util.Set<SetProbe> running) {
        this.sets = List.copyOf(sets);
        this.running = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        this.running.addAll(running);
    }

    public List<SetProbe> sets() {
        return sets;
    }

    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("engine already started");
        }
        started = true;
        sets.stream().filter(s -> !running.contains(s)).forEach(SetProbe::start);
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
