package io.replag.agent.metrics;

import io.replag.agent.spi.StoreOperation;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * Health of one store endpoint (a store in a region): {@code replag_up}, error counts, and one
 * log line per cause of an outage (down with a reason, another reason, recovered), never one per
 * failed call.
 *
 * <p>{@code replag_up} follows canary calls (prepare, write, read) only: a native-figure query
 * or a replication-status read (S3) that lacks a grant must not make a working endpoint flap.
 */
public final class EndpointHealth {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointHealth.class);

    private final ReplagMetrics metrics;
    private final String store;
    private final String resource;
    private final String region;
    private volatile double up = Double.NaN;
    private volatile String lastError = "";

    /** By {@link StoreOperation#ordinal()}, made at an op's first call (a map lookup per call was a tenth of the engine's time at 10,000 pairs). Event-loop only. */
    private final io.micrometer.core.instrument.Timer[] durations = new io.micrometer.core.instrument.Timer[StoreOperation.values().length];

    /**
     * op -> the reasons logged since it last worked; absent when the op last worked. A cause is
     * logged once per outage, even when two alternate (a dead server behind a proxy answers now
     * "closed", now "reset"). Event-loop only.
     */
    private final Map<StoreOperation, java.util.Set<String>> failing = new HashMap<>();

    EndpointHealth(ReplagMetrics metrics, MeterRegistry registry, String store, String resource, String region) {
        this.metrics = metrics;
        this.store = store;
        this.resource = resource;
        this.region = region;
        Gauge.builder("replag.up", this, h -> h.up)
                .description("1 if the last canary call to this endpoint worked, 0 if it failed")
                .tags(metrics.common().and("store", store, "resource", resource, "region", region))
                .register(registry);
    }

    public void succeeded(StoreOperation op) {
        // calls beside the canary (native lag, replication status, the convergence probe) do not move replag_up
        if (!op.figure()) {
            up = 1;
        }
        java.util.Set<String> previous = failing.remove(op);
        if (previous != null) {
            LOG.info("{}/{} {}: {} recovered (was failing: {})", store, resource, region, op.label(), String.join(", ", previous));
        }
    }

    public void failed(StoreOperation op, String reason, String detail) {
        if (!op.figure()) {
            up = 0;
        }
        metrics.error(store, resource, region, op.label(), reason);
        lastError = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " " + op.label() + ": " + reason + " (" + detail + ")";
        if (failing.computeIfAbsent(op, o -> new java.util.LinkedHashSet<>()).add(reason)) {
            LOG.warn("{}/{} {}: {} failing: {} ({})", store, resource, region, op.label(), reason, detail);
        }
    }

    /** One call of {@code op} took {@code micros}, answered or failed. */
    public void took(StoreOperation op, long micros) {
        io.micrometer.core.instrument.Timer timer = durations[op.ordinal()];
        if (timer == null) {
            timer = metrics.storeCall(store, resource, region, op.label());
            durations[op.ordinal()] = timer;
        }
        timer.record(Math.max(0, micros), java.util.concurrent.TimeUnit.MICROSECONDS);
    }

    public double up() {
        return up;
    }

    /** The last failure, with its time, op, reason and detail (no credentials); empty if none yet. */
    public String lastError() {
        return lastError;
    }
}
