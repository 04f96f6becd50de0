package io.replag.lab;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A lab link that replicates by copying what it queued when its delay has passed: the DynamoDB
 * and S3 labs' links. Settings change through the control API, from any thread; the queue is
 * guarded by the link itself.
 *
 * @param <P> what is queued (an item, an object version)
 */
public final class QueuedLink<P> {
    private static final Logger LOG = LoggerFactory.getLogger(QueuedLink.class);

    public final String source;
    public final String target;
    public volatile long delayMs;
    public volatile boolean paused;
    /** Lost in replication rather than late. */
    public volatile boolean dropping;
    public final Deque<P> queue = new ArrayDeque<>();

    public QueuedLink(String source, String target) {
        this.source = source;
        this.target = target;
    }

    /** Applies a change (absent fields stay), logs it, and answers the new state. */
    public synchronized LinkState change(String store, LinkChange change) {
        long delay = change.delayMs().orElse(delayMs);
        if (delay < 0) {
            throw new IllegalArgumentException("delayMs: must be >= 0, found " + delay);
        }
        delayMs = delay;
        paused = change.paused().orElse(paused);
        dropping = change.dropping().orElse(dropping);
        LOG.info("lab link {} {} -> {}: delay {} ms, {}{}", store, source, target, delay, paused ? "paused" : "running",
                dropping ? ", dropping" : "");
        return state(store);
    }

    public LinkState state(String store) {
        return new LinkState(store, source, target, delayMs, paused, dropping);
    }
}
