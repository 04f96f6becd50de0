package io.replag.lab;

/**
 * A lab replication link as the control API shows it.
 *
 * @param dropping the link loses what it should replicate (a replication fault), rather than
 *                 delivering it late as a pause does; not every store's lab can do this
 */
public record LinkState(String store, String source, String target, long delayMs, boolean paused, boolean dropping) {
    public LinkState(String store, String source, String target, long delayMs, boolean paused) {
        this(store, source, target, delayMs, paused, false);
    }
}
