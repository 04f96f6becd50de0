package io.replag.agent.memory;

import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.NativeLag;
import io.replag.agent.spi.ServerTime;
import io.replag.agent.spi.Sighting;
import io.replag.agent.spi.StaleSeqException;
import io.replag.agent.time.EventLoop;
import io.replag.agent.time.WallClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A store that lives in memory, with replication links whose delay and pause are set by the
 * caller, and per-region faults (failure, hang, call latency). For the engine's unit tests and
 * benchmarks: it behaves like a replicated store, with the clock and loop the engine uses.
 *
 * <p>A canary committed in its source at time c is visible in a target once
 * {@code c + delay <= now}, or, while the link is paused, once {@code c + delay <= pausedAt}.
 * Not thread-safe: use it from the engine's loop.
 */
public final class InMemoryCanaryStore implements CanaryStore {

    /** @param visibleAtMicros per target with a delay model, when this write becomes visible there; null without models */
    private record Entry(Canary canary, long committedAtMicros, Map<String, Long> visibleAtMicros) {
    }

    private static final class Link {
        long delayMicros;
        long pausedAtMicros = -1;
        /** A delay drawn for every write, in order (a later write never becomes visible first); null: {@code delayMicros}. */
        LongSupplier model;
        long lastVisibleMicros;
    }

    private static final class Fault {
        Throwable failure;
        Throwable writeFailure;
        boolean hang;
        LongSupplier latencyMicros = () -> 0;
    }

    private final EventLoop loop;
    private final WallClock clock;
    private final Map<CanaryKey, Deque<Entry>> history = new ConcurrentHashMap<>();
    /** Source region to target region to link: two lookups on the regions' own strings, no key built per read. */
    private final Map<String, Map<String, Link>> links = new ConcurrentHashMap<>();
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private long maxDelayMicros;
    /** Source region to the targets whose links draw a delay per write. */
    private final Map<String, java.util.List<String>> modelled = new ConcurrentHashMap<>();
    /** Kept, not counted per write: scanning every link on each write made the store, not the engine, the bench's bottleneck. */
    private int pausedLinks;
    private long writes;
    private long reads;
    /** The one region whose reads are also counted apart (null: none), for tests that watch one target. */
    private volatile String watchedRegion;
    private long watchedReads;
    private long prepares;
    /** Regions whose canary table is gone: writes fail with a missing-table reason until prepareWriter runs. */
    private final java.util.Set<String> tableMissing = ConcurrentHashMap.newKeySet();

    /** The failure of a write into a region whose table is gone. */
    public static final class TableMissingException extends RuntimeException {
        TableMissingException(String region) {
            super("no canary table in " + region);
        }
    }

    public InMemoryCanaryStore(EventLoop loop, WallClock clock) {
        this.loop = loop;
        this.clock = clock;
    }

    // --- controls -------------------------------------------------------------------------

    public InMemoryCanaryStore delay(String source, String target, long delayMicros) {
        link(source, target).delayMicros = delayMicros;
        maxDelayMicros = Math.max(maxDelayMicros, delayMicros);
        return this;
    }

    /**
     * Each write from {@code source} becomes visible in {@code target} after a delay drawn from
     * {@code delayMicros} for that write (never before an earlier write: replication keeps order);
     * {@code maxMicros} bounds the draws, for pruning.
     */
    public InMemoryCanaryStore delayModel(String source, String target, LongSupplier delayMicros, long maxMicros) {
        Link link = link(source, target);
        if (link.model == null) {
            modelled.computeIfAbsent(source, k -> new java.util.ArrayList<>()).add(target);
        }
        link.model = delayMicros;
        maxDelayMicros = Math.max(maxDelayMicros, maxMicros);
        return this;
    }

    /** How long canary {@code seq} of {@code key} took from its commit to visibility in {@code target}; -1 if unknown. */
    public long replicationMicros(CanaryKey key, long seq, String target) {
        Deque<Entry> entries = history.get(key);
        if (entries == null) {
            return -1;
        }
        for (Iterator<Entry> it = entries.descendingIterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.canary().seq() == seq) {
                if (e.visibleAtMicros() != null && e.visibleAtMicros().containsKey(target)) {
                    return e.visibleAtMicros().get(target) - e.committedAtMicros();
                }
                Link link = existingLink(key.sourceRegion(), target);
                return link == null ? 0 : link.delayMicros;
            }
        }
        return -1;
    }

    public InMemoryCanaryStore pause(String source, String target) {
        Link link = link(source, target);
        if (link.pausedAtMicros < 0) {
            link.pausedAtMicros = clock.nowMicros();
            pausedLinks++;
        }
        return this;
    }

    public InMemoryCanaryStore resume(String source, String target) {
        Link link = link(source, target);
        if (link.pausedAtMicros >= 0) {
            link.pausedAtMicros = -1;
            pausedLinks--;
        }
        return this;
    }

    /** Every call to the region fails with {@code failure} until cleared with null. */
    public InMemoryCanaryStore fail(String region, Throwable failure) {
        fault(region).failure = failure;
        return this;
    }

    /** Every write in the region fails with {@code failure} (reads still work) until cleared with null. */
    public InMemoryCanaryStore failWrites(String region, Throwable failure) {
        fault(region).writeFailure = failure;
        return this;
    }

    /** Every call to the region never answers, until cleared. */
    public InMemoryCanaryStore hang(String region, boolean hang) {
        fault(region).hang = hang;
        return this;
    }

    /** Each call to the region answers after this many µs (drawn per call). */
    public InMemoryCanaryStore callLatency(String region, LongSupplier latencyMicros) {
        fault(region).latencyMicros = latencyMicros;
        return this;
    }

    /** Drops the region's canary table: writes fail (table_missing) until the writer prepares again. */
    public InMemoryCanaryStore dropTable(String region) {
        tableMissing.add(region);
        return this;
    }

    public long prepares() {
        return prepares;
    }

    /** Drops the canary of {@code key} everywhere, as if the table had been recreated empty. */
    public void forget(CanaryKey key) {
        history.remove(key);
    }

    public long writes() {
        return writes;
    }

    public long reads() {
        return reads;
    }

    /** From now on, counts the reads answered in {@code region} apart ({@link #watchedReads()}). */
    public InMemoryCanaryStore watchReads(String region) {
        watchedRegion = region;
        return this;
    }

    /** The reads answered in the watched region since it was named. */
    public long watchedReads() {
        return watchedReads;
    }

    /** The canary as committed in its source, for assertions. */
    public Optional<Canary> committed(CanaryKey key) {
        Deque<Entry> entries = history.get(key);
        return entries == null || entries.isEmpty() ? Optional.empty() : Optional.of(entries.peekLast().canary());
    }

    // --- the SPI --------------------------------------------------------------------------

    @Override
    public Future<Void> prepareWriter(String region) {
        return answer(region, () -> {
            prepares++;
            tableMissing.remove(region);
            return null;
        });
    }

    @Override
    public Future<ServerTime> write(String region, Canary canary) {
        Fault fault = faults.get(region);
        if (fault != null && fault.writeFailure != null) {
            return Future.failedFuture(fault.writeFailure);
        }
        if (tableMissing.contains(region)) {
            return Future.failedFuture(new TableMissingException(region));
        }
        return answer(region, () -> {
            writes++;
            Deque<Entry> entries = history.computeIfAbsent(canary.key(), k -> new ArrayDeque<>());
            Entry last = entries.peekLast();
            if (last != null && last.canary().seq() >= canary.seq()) {
                throw new StaleSeqException("record holds seq " + last.canary().seq() + ", refused " + canary.seq());
            }
            long committed = clock.nowMicros();
            java.util.List<String> targets = modelled.get(canary.key().sourceRegion());
            Map<String, Long> visibleAt = null;
            if (targets != null) {
                visibleAt = new java.util.HashMap<>();
                for (String target : targets) {
                    Link link = existingLink(canary.key().sourceRegion(), target);
                    link.lastVisibleMicros = Math.max(link.lastVisibleMicros, committed + Math.max(0, link.model.getAsLong()));
                    visibleAt.put(target, link.lastVisibleMicros);
                }
            }
            entries.addLast(new Entry(canary, committed, visibleAt));
            prune(entries);
            return ServerTime.UNKNOWN;
        });
    }

    @Override
    public Future<Sighting> read(String region, CanaryKey key) {
        return answer(region, () -> Sighting.of(visible(region, key)));
    }

    private Optional<Canary> visible(String region, CanaryKey key) {
        reads++;
        if (region.equals(watchedRegion)) {
            watchedReads++;
        }
        {
            Deque<Entry> entries = history.get(key);
            if (entries == null) {
                return Optional.empty();
            }
            if (region.equals(key.sourceRegion())) {
                return Optional.ofNullable(entries.peekLast()).map(Entry::canary);
            }
            Link link = existingLink(key.sourceRegion(), region);
            long delay = link == null ? 0 : link.delayMicros;
            long horizon = link != null && link.pausedAtMicros >= 0 ? link.pausedAtMicros : clock.nowMicros();
            Canary visible = null;
            boolean modelledLink = link != null && link.model != null;
            for (Iterator<Entry> it = entries.descendingIterator(); it.hasNext(); ) {
                Entry e = it.next();
                long visibleAt = modelledLink && e.visibleAtMicros() != null ? e.visibleAtMicros().get(region) : e.committedAtMicros() + delay;
                if (visibleAt <= horizon) {
                    visible = e.canary();
                    break;
                }
            }
            return Optional.ofNullable(visible);
        }
    }

    @Override
    public Future<java.util.List<NativeLag>> readNativeLag(String sourceRegion, String targetRegion) {
        return answer(targetRegion, () -> {
            Link link = existingLink(sourceRegion, targetRegion);
            double seconds = link == null ? 0 : link.delayMicros / 1e6;
            return java.util.List.of(new NativeLag("memory_link_delay", seconds));
        });
    }

    @Override
    public Optional<io.replag.agent.spi.Reason> errorReason(Throwable failure) {
        return failure instanceof TableMissingException ? Optional.of(io.replag.agent.spi.Reason.TABLE_MISSING) : Optional.empty();
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }

    // --- internals ------------------------------------------------------------------------

    private interface Call<T> {
        T run();
    }

    private <T> Future<T> answer(String region, Call<T> call) {
        Fault fault = faults.get(region);
        if (fault != null && fault.hang) {
            return Promise.<T>promise().future();
        }
        if (fault != null && fault.failure != null) {
            return Future.failedFuture(fault.failure);
        }
        long latency = fault == null ? 0 : fault.latencyMicros.getAsLong();
        if (latency <= 0) {
            return complete(call);
        }
        Promise<T> promise = Promise.promise();
        loop.schedule(latency, () -> complete(call).onComplete(promise));
        return promise.future();
    }

    private static <T> Future<T> complete(Call<T> call) {
        try {
            return Future.succeededFuture(call.run());
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private void prune(Deque<Entry> entries) {
        long horizon = clock.nowMicros() - maxDelayMicros - 10_000_000L;
        boolean anyPaused = pausedLinks > 0;
        while (!anyPaused && entries.size() > 2) {
            Iterator<Entry> it = entries.iterator();
            it.next();
            if (it.next().committedAtMicros() < horizon) {
                entries.pollFirst();
            } else {
                break;
            }
        }
        while (entries.size() > 100_000) {
            entries.pollFirst();
        }
    }

    private Link link(String source, String target) {
        return links.computeIfAbsent(source, k -> new ConcurrentHashMap<>()).computeIfAbsent(target, k -> new Link());
    }

    private Link existingLink(String source, String target) {
        Map<String, Link> from = links.get(source);
        return from == null ? null : from.get(target);
    }

    private Fault fault(String region) {
        return faults.computeIfAbsent(region, k -> new Fault());
    }
}
