package io.replag.lab.distance;

/**
 * Holds one direction of a {@link DelayProxy} while closed: what arrives is kept, in order, and
 * delivered when the gate opens (a paused replication link: nothing is lost, all of it is late).
 */
public final class Gate {
    private boolean open = true;

    public synchronized void open(boolean open) {
        this.open = open;
        notifyAll();
    }

    public synchronized boolean isOpen() {
        return open;
    }

    synchronized void awaitOpen() throws InterruptedException {
        while (!open) {
            wait();
        }
    }
}
