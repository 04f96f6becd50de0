package io.replag.lab;

/** A lab replication link as the control API shows it. */
public record LinkState(String store, String source, String target, long delayMs, boolean paused) {
}
