package io.replag.agent.time;

import java.util.Arrays;

/**
 * The engine's one-shot timers, for one event loop: a wheel of millisecond slots on the loop's
 * monotonic clock, driven by a single loop timer armed for the tick of the earliest deadline in its
 * first busy slot. At
 * 10,000 pairs the engine sets and cancels some 40,000 timers a second (a poll timer per read, a
 * simulated call in the bench); as loop timers each costs a priority-queue insert and removal
 * among all the others, and Vert.x's own bookkeeping, which was the largest item in the loop's
 * profile. Here a timer is an entry in a pooled array, and setting or cancelling one is O(1).
 *
 * <p>A timer never fires early, nor later than a tick after its deadline (and the loop's own delay),
 * and at least {@link #MIN_DELAY_MICROS} after it was set (so that a task that sets itself again at
 * once cannot hold the loop). Timers fire in deadline order, to the millisecond; within one, in the
 * order they were set. Not thread safe: every method runs on the
 * loop.
 */
final class TimerWheel {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TimerWheel.class);
    /** Slots, each a millisecond; a power of two. Deadlines further out wait for later turns in their slot. */
    private static final int SLOTS = 4096;
    private static final int MASK = SLOTS - 1;
    private static final int NONE = -1;
    /** An id's generation bits: 30, so that ids stay positive and clear of {@code VertxEventLoop}'s off-loop mark. */
    private static final int GENERATIONS = (1 << 30) - 1;

    /** The soonest a timer fires after it is set, as a loop timer's whole milliseconds did. */
    static final long MIN_DELAY_MICROS = 1_000;
    /**
     * The tick {@link VertxEventLoop} uses. What a timer costs is the loop's wakeup, not the entry:
     * at 10,000 pairs ({@code replag bench}, 2 cores) the engine took 0.49 CPU s/s with the loop
     * timer armed to the microsecond or to 250 µs, 0.31 to 1 ms, 0.24 to 2 ms. Two milliseconds late
     * is nothing beside the 50 ms an arrival is timed to.
     */
    static final long DEFAULT_TICK_MICROS = 2_000;

    /** The one loop timer: {@link #arm} runs {@link #fire} once after {@code delayMicros}; {@link #disarm} cancels the armed one. */
    interface Driver {
        void arm(long delayMicros);

        void disarm();
    }

    private final Driver driver;
    private final java.util.function.LongSupplier monotonicMicros;
    /** The loop timer fires on multiples of this, so that the timers due within one tick share a wakeup. */
    private final long tickMicros;

    private final int[] slotHead = new int[SLOTS];
    private final int[] slotTail = new int[SLOTS];
    /** One bit per slot holding entries, so that the next busy slot is found a word at a time. */
    private final long[] busy = new long[SLOTS / 64];

    // the entries, pooled: index -> task, deadline, next in its slot, generation (an id names one use of an index)
    private Runnable[] tasks = new Runnable[1024];
    private long[] dueMicros = new long[1024];
    private int[] next = new int[1024];
    private int[] generation = new int[1024];
    private int freeHead = NONE;
    private int used;
    private int pending;

    /** Every slot up to this millisecond has run; later ones may hold timers due. */
    private long doneMs;
    private long armedMicros = Long.MAX_VALUE;
    private boolean firing;

    TimerWheel(Driver driver, java.util.function.LongSupplier monotonicMicros, long tickMicros) {
        if (tickMicros < 1 || tickMicros > 1_000_000) {
            throw new IllegalArgumentException("tickMicros: must be 1 to 1,000,000, found " + tickMicros);
        }
        this.tickMicros = tickMicros;
        this.driver = driver;
        this.monotonicMicros = monotonicMicros;
        Arrays.fill(slotHead, NONE);
        Arrays.fill(slotTail, NONE);
        this.doneMs = monotonicMicros.getAsLong() / 1_000 - 1;
    }

    /** Runs {@code task} once, no sooner than {@code delayMicros} from now and at least a millisecond on. Returns its id (&gt;= 0). */
    long schedule(long delayMicros, Runnable task) {
        long now = monotonicMicros.getAsLong();
        long due = now + Math.max(MIN_DELAY_MICROS, delayMicros);
        int i = allocate();
        tasks[i] = task;
        dueMicros[i] = due;
        append((int) ((due / 1_000) & MASK), i);
        pending++;
        if (!firing && tick(due) < armedMicros) {
            arm(due, now);
        }
        return ((long) (generation[i] & GENERATIONS) << 32) | i;
    }

    /** Cancels a timer that has not fired; a timer that fired or was cancelled is left alone. */
    void cancel(long id) {
        int i = (int) id;
        if (id < 0 || i >= used || (generation[i] & GENERATIONS) != (int) (id >>> 32) || tasks[i] == null) {
            return;
        }
        tasks[i] = null; // its slot frees the entry when it next runs
        pending--;
    }

    /** Timers set and not yet fired or cancelled. */
    int pending() {
        return pending;
    }

    /** The loop timer fired: runs every timer due by now, then arms for the next. */
    void fire() {
        armedMicros = Long.MAX_VALUE;
        long now = monotonicMicros.getAsLong();
        long nowMs = now / 1_000;
        firing = true;
        try {
            // after a pause longer than a turn, every slot once is enough: each keeps what is not yet due
            for (long ms = Math.max(doneMs + 1, nowMs - MASK); ms <= nowMs; ms++) {
                runSlot((int) (ms & MASK), now);
            }
            // this millisecond's slot may still hold timers due later in it
            doneMs = nowMs - 1;
        } finally {
            firing = false;
        }
        if (pending > 0) {
            long nextMs = nextBusyMs(nowMs);
            if (nextMs != Long.MAX_VALUE) {
                arm(earliestIn(nextMs), monotonicMicros.getAsLong());
            }
        }
    }

    private void runSlot(int slot, long now) {
        int i = slotHead[slot];
        if (i == NONE) {
            return;
        }
        // detached first: what the tasks set meanwhile goes into a fresh chain
        slotHead[slot] = NONE;
        slotTail[slot] = NONE;
        busy[slot >>> 6] &= ~(1L << slot);
        while (i != NONE) {
            int after = next[i];
            Runnable task = tasks[i];
            if (task == null) {
                release(i);
            } else if (dueMicros[i] <= now) {
                tasks[i] = null;
                pending--;
                release(i);
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // one failing task must not lose the rest of its slot: they were detached with it
                    LOG.error("a timer task failed; the others run on", e);
                }
            } else {
                append(slot, i); // a later turn
            }
            i = after;
        }
    }

    /** The first millisecond from {@code nowMs} on whose slot holds entries; MAX_VALUE if none. */
    private long nextBusyMs(long nowMs) {
        int start = (int) (nowMs & MASK);
        for (int k = 0; k <= SLOTS / 64; k++) {
            int word = ((start >>> 6) + k) % (SLOTS / 64);
            long bits = busy[word];
            if (k == 0) {
                bits &= -1L << (start & 63);
            } else if (k == SLOTS / 64) {
                bits &= ~(-1L << (start & 63)); // the start word's lower bits: the end of the turn
            }
            if (bits != 0) {
                int slot = word * 64 + Long.numberOfTrailingZeros(bits);
                return nowMs + ((slot - start) & MASK);
            }
        }
        return Long.MAX_VALUE;
    }

    /** The earliest deadline in millisecond {@code ms}'s slot, or its end if all it holds are due in later turns. */
    private long earliestIn(long ms) {
        long earliest = (ms + 1) * 1_000 - 1;
        for (int i = slotHead[(int) (ms & MASK)]; i != NONE; i = next[i]) {
            if (tasks[i] != null && dueMicros[i] < earliest && dueMicros[i] >= ms * 1_000) {
                earliest = dueMicros[i];
            }
        }
        return earliest;
    }

    private void arm(long due, long now) {
        if (armedMicros != Long.MAX_VALUE) {
            driver.disarm();
        }
        armedMicros = tick(due);
        driver.arm(Math.max(0, armedMicros - now));
    }

    /** The first tick at or after {@code micros}. */
    private long tick(long micros) {
        return Math.floorDiv(micros + tickMicros - 1, tickMicros) * tickMicros;
    }

    private void append(int slot, int i) {
        next[i] = NONE;
        if (slotTail[slot] == NONE) {
            slotHead[slot] = i;
            busy[slot >>> 6] |= 1L << slot;
        } else {
            next[slotTail[slot]] = i;
        }
        slotTail[slot] = i;
    }

    private int allocate() {
        if (freeHead != NONE) {
            int i = freeHead;
            freeHead = next[i];
            return i;
        }
        if (used == tasks.length) {
            int size = tasks.length * 2;
            tasks = Arrays.copyOf(tasks, size);
            dueMicros = Arrays.copyOf(dueMicros, size);
            next = Arrays.copyOf(next, size);
            generation = Arrays.copyOf(generation, size);
        }
        return used++;
    }

    private void release(int i) {
        generation[i]++;
        next[i] = freeHead;
        freeHead = i;
    }
}
