package io.replag.lab;

/** A replag canary as the lab sees it in a region, read directly from the region's server: no distance, no faults. */
public record ObservedCanary(String agent, String sourceRegion, long seq) {
}
