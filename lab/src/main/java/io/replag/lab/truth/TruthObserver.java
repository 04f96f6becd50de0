package io.replag.lab.truth;

import io.replag.lab.LabStore;
import io.replag.lab.ObservedCanary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The lab's own account of when each canary became visible in each region, to check replag's
 * intervals against: a thread per store reads every region straight from its server (no distance,
 * no fault proxy), round after round, and records for each seq the first round that showed it.
 * A seq first shown by the round that started at {@code t0} and ended at {@code t1}, after the
 * region's previous round started at {@code p0}, became visible in {@code (p0, t1]}.
 *
 * <p>Commit in the source is its visibility there, observed the same way; the true replication
 * time of a canary to a target therefore lies in {@code [V.from - C.to, V.to - C.from]}, which is
 * as narrow as the observer's rounds are short (a few ms for the SQL stores, more for dynalite).
 */
public final class TruthObserver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TruthObserver.class);

    /** When a seq first showed in a region: after {@code fromMicros}, by {@code toMicros}. */
    public record Seen(long fromMicros, long toMicros) {
    }

    /** The true replication time of one canary to one target: in {@code [lowerMicros, upperMicros]}. */
    public record Truth(long lowerMicros, long upperMicros) {
        public long middleMicros() {
            return (lowerMicros + upperMicros) / 2;
        }

        public long widthMicros() {
            return upperMicros - lowerMicros;
        }
    }

    private final Map<String, Seen> firstSeen = new ConcurrentHashMap<>();
    private final List<Thread> threads = new java.util.ArrayList<>();
    private volatile boolean closed;

    /**
     * Starts observing each store's regions.
     *
     * @param stores    the stores to observe, each with its regions
     * @param pauseMicros rest between two rounds of one store (the rounds themselves take what the servers take)
     */
    public TruthObserver(Map<LabStore, List<String>> stores, long pauseMicros) {
        stores.forEach((store, regions) -> {
            Thread t = new Thread(() -> observe(store, regions, pauseMicros), "lab-truth-" + store.store());
            t.setDaemon(true);
            threads.add(t);
            t.start();
        });
    }

    private void observe(LabStore store, List<String> regions, long pauseMicros) {
        Map<String, Long> lastStart = new ConcurrentHashMap<>();
        Map<String, Long> lastSeq = new ConcurrentHashMap<>();
        String failing = null;
        while (!closed) {
            for (String region : regions) {
                long start = nowMicros();
                List<ObservedCanary> canaries;
                try {
                    canaries = store.observe(region);
                    failing = null;
                } catch (Exception e) {
                    if (!String.valueOf(e).equals(failing)) {
                        LOG.debug("truth observer: {} {} unreadable: {}", store.store(), region, e.toString());
                        failing = String.valueOf(e);
                    }
                    continue;
                }
                long end = nowMicros();
                Long previous = lastStart.put(region, start);
                for (ObservedCanary c : canaries) {
                    String id = id(store.store(), c.agent(), c.sourceRegion(), region);
                    long before = lastSeq.getOrDefault(id, -1L);
                    if (c.seq() > before) {
                        lastSeq.put(id, c.seq());
                        if (before >= 0 && previous != null) {
                            for (long seq = before + 1; seq <= c.seq(); seq++) {
                                firstSeen.put(id + "#" + seq, new Seen(previous, end));
                            }
                        }
                    }
                }
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(pauseMicros)); // the observer's own cadence
        }
    }

    private static String id(String store, String agent, String source, String region) {
        return store + "|" + agent + "|" + source + "|" + region;
    }

    /** When {@code seq} (or a later one) first showed in {@code region}; empty if the observer did not see it happen. */
    public Optional<Seen> seen(String store, String agent, String source, String region, long seq) {
        return Optional.ofNullable(firstSeen.get(id(store, agent, source, region) + "#" + seq));
    }

    /** The true replication time of canary {@code seq} from {@code source} to {@code target}; empty where not observed. */
    public Optional<Truth> truth(String store, String agent, String source, String target, long seq) {
        Optional<Seen> commit = seen(store, agent, source, source, seq);
        Optional<Seen> visible = seen(store, agent, source, target, seq);
        if (commit.isEmpty() || visible.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Truth(visible.get().fromMicros() - commit.get().toMicros(),
                visible.get().toMicros() - commit.get().fromMicros()));
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
