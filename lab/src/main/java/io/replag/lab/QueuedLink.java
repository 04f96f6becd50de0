package io.replag.lab;

import io.replag.lab.distance.Geography;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;

/**
 * A lab link that replicates by copying what it queued when its time has come: the DynamoDB and
 * S3 labs' links. Each write waits the distance between the two regions, the link's delay and a
 * random share of its jitter; the queue is applied in order, so a write never overtakes an earlier
 * one. Settings change through the control API, from any thread; the queue is guarded by the link
 * itself.
 *
 * @param <P> what is queued (an item, an object version)
 */
public final class QueuedLink<P> {
    private static final Logger LOG = LoggerFactory.getLogger(QueuedLink.class);

    public final String source;
    public final String target;
    public volatile long delayMs;
    public volatile long jitterMs;
    public volatile boolean paused;
    /** Lost in replication rather than late. */
    public volatile boolean dropping;
    /** Writes lost while dropping. */
    public final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();
    /** The keys of the first million writes lost, so that a burst can tell its own records from the canaries. */
    private final java.util.Queue<String> droppedKeys = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final int DROPPED_KEYS_KEPT = 1_000_000;

    /** Counts a write lost while dropping. */
    public void dropped(String key) {
        if (dropped.incrementAndGet() <= DROPPED_KEYS_KEPT) {
            droppedKeys.add(key);
        }
    }

    /** The keys of the writes lost so far (the first million). */
    public java.util.List<String> droppedKeys() {
        return java.util.List.copyOf(droppedKeys);
    }
    public final Deque<P> queue = new ArrayDeque<>();
    private final Geography geography;
    private final SplittableRandom random;

    public QueuedLink(String source, String target) {
        this(source, target, Geography.NONE);
    }

    public QueuedLink(String source, String target, Geography geography) {
        this.source = source;
        this.target = target;
        this.geography = geography;
        this.random = new SplittableRandom((source + "->" + target).hashCode());
    }

    /** When a write seen in the source at {@code nowNanos} is due in the target. */
    public synchronized long dueNanos(long nowNanos) {
        long jitter = jitterMs > 0 ? random.nextLong(jitterMs * 1_000_000L + 1) : 0;
        return nowNanos + delayMs * 1_000_000L + jitter + geography.oneWayMicros(source, target) * 1_000L;
    }

    /** Applies a change (absent fields stay), logs it, and answers the new state. */
    public synchronized LinkState change(String store, LinkChange change) {
        long delay = change.delayMs().orElse(delayMs);
        if (delay < 0) {
            throw new IllegalArgumentException("delayMs: must be >= 0, found " + delay);
        }
        long jitter = change.jitterMs().orElse(jitterMs);
        if (jitter < 0) {
            throw new IllegalArgumentException("jitterMs: must be >= 0, found " + jitter);
        }
        delayMs = delay;
        jitterMs = jitter;
        paused = change.paused().orElse(paused);
        dropping = change.dropping().orElse(dropping);
        LOG.info("lab link {} {} -> {}: delay {} ms{}, {}{}", store, source, target, delay, jitter > 0 ? " + up to " + jitter + " ms" : "",
                paused ? "paused" : "running", dropping ? ", dropping" : "");
        return state(store);
    }

    public LinkState state(String store) {
        return new LinkState(store, source, target, delayMs, paused, dropping, jitterMs, geography.oneWayMicros(source, target) / 1000,
                dropped.get());
    }
}
