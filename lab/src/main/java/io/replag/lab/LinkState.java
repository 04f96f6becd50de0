package io.replag.lab;

/**
 * A lab replication link as the control API shows it.
 *
 * @param delayMs  added to each replicated write, on top of the distance between the two regions
 * @param dropping the link loses what it should replicate (a replication fault), rather than
 *                 delivering it late as a pause does; not every store's lab can do this
 * @param jitterMs each write waits a further random 0 to jitterMs, in order (a later write never
 *                 overtakes an earlier one); not every store's lab can do this
 * @param distanceMs the one-way distance between the two regions, in force now (0 without a geography)
 * @param dropped  writes the link has lost while dropping, since the lab started (what a burst
 *                 through it should report lost)
 */
public record LinkState(String store, String source, String target, long delayMs, boolean paused, boolean dropping,
                        long jitterMs, long distanceMs, long dropped) {
    public LinkState(String store, String source, String target, long delayMs, boolean paused, boolean dropping,
                     long jitterMs, long distanceMs) {
        this(store, source, target, delayMs, paused, dropping, jitterMs, distanceMs, 0);
    }

    public LinkState(String store, String source, String target, long delayMs, boolean paused, boolean dropping) {
        this(store, source, target, delayMs, paused, dropping, 0, 0);
    }

    public LinkState(String store, String source, String target, long delayMs, boolean paused) {
        this(store, source, target, delayMs, paused, false);
    }

    /** The same link with the distance in force now. */
    public LinkState withDistance(long oneWayMs) {
        return new LinkState(store, source, target, delayMs, paused, dropping, jitterMs, oneWayMs, dropped);
    }
}
