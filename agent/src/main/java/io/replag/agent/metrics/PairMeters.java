package io.replag.agent.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/** The meters of one (store, resource, source_region, target_region) pair. */
public final class PairMeters {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Timer arrivalLatency;
    private final Counter written;
    private final Counter arrived;
    private final Counter missed;
    private Counter anomalies;
    private volatile double lastWriteSeconds = Double.NaN;
    private volatile double lastArrivalSeconds = Double.NaN;
    private volatile double uncertaintySeconds = Double.NaN;
    private volatile double targetDataSeconds = Double.NaN;
    private final Map<String, double[]> methods = new ConcurrentHashMap<>();
    private String lastMethod = "";
    private final Map<String, double[]> nativeLag = new ConcurrentHashMap<>();
    private final Map<String, double[]> nativeOperations = new ConcurrentHashMap<>();
    private final Map<String, double[]> nativeStopped = new ConcurrentHashMap<>();
    private final Map<String, double[]> nativeBytes = new ConcurrentHashMap<>();
    /** Micrometer holds gauge state weakly: keep the supplier reachable for the pair's lifetime. */
    private DoubleSupplier lagNow;

    PairMeters(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
        this.arrivalLatency = Timer.builder("replag.arrival.latency")
                .description("Time from a canary's write in the source to its first sighting in the target")
                .tags(tags)
                .serviceLevelObjectives(ReplagMetrics.LATENCY_BUCKETS.toArray(Duration[]::new))
                .publishPercentileHistogram(false)
                .register(registry);
        this.written = Counter.builder("replag.canaries.written")
                .description("Canaries written in the source for this pair").tags(tags).register(registry);
        this.arrived = Counter.builder("replag.canaries.arrived")
                .description("Canaries seen in the target before their deadline").tags(tags).register(registry);
        this.missed = Counter.builder("replag.canaries.missed")
                .description("Canaries not seen in the target before their deadline").tags(tags).register(registry);
        Gauge.builder("replag.last.write.timestamp.seconds", this, m -> m.lastWriteSeconds)
                .description("Unix time of the last canary written in the source for this pair")
                .tags(tags).register(registry);
        Gauge.builder("replag.last.arrival.timestamp.seconds", this, m -> m.lastArrivalSeconds)
                .description("Unix time at which the last canary was first seen in the target")
                .tags(tags).register(registry);
        Gauge.builder("replag.target.data.timestamp.seconds", this, m -> m.targetDataSeconds)
                .description("Unix time at which the newest canary seen in the target was written: how old the target's data is")
                .tags(tags).register(registry);
        Gauge.builder("replag.measurement.uncertainty.seconds", this, m -> m.uncertaintySeconds)
                .description("Width of the interval in which the last arrival happened")
                .tags(tags).register(registry);
    }

    /** Registers the lag-now gauge, computed at scrape time so that it rises through a stall. */
    public void lagNow(DoubleSupplier lagSeconds) {
        this.lagNow = lagSeconds;
        Gauge.builder("replag.lag.seconds", lagSeconds, DoubleSupplier::getAsDouble)
                .description("Lag now: age of the oldest unseen canary, or the last arrival latency if larger")
                .tags(tags).register(registry);
    }

    public void written(long writtenAtMicros) {
        written(writtenAtMicros, 1);
    }

    /** {@code count} canaries written, the newest at {@code writtenAtMicros}. */
    public void written(long writtenAtMicros, long count) {
        written.increment(count);
        lastWriteSeconds = writtenAtMicros / 1e6;
    }

    /** Arrivals whose interval the clocks' bounds could not hold (the hit before the write): never exported as latency. */
    public void clockAnomalies(int count) {
        if (anomalies == null) {
            anomalies = Counter.builder("replag.clock.anomalies")
                    .description("Arrivals that the agents' clocks put before their write by more than their error bounds allow")
                    .tags(tags).register(registry);
        }
        anomalies.increment(count);
    }

    public void arrived(long latencyMicros, long uncertaintyMicros, long seenAtMicros, String method) {
        arrived.increment();
        arrivalLatency.record(latencyMicros, TimeUnit.MICROSECONDS);
        lastArrivalSeconds = seenAtMicros / 1e6;
        uncertaintySeconds = uncertaintyMicros / 1e6;
        if (!method.equals(lastMethod)) {
            methods.values().forEach(h -> h[0] = 0);
            methods.computeIfAbsent(method, m -> {
                double[] holder = {0};
                Gauge.builder("replag.measurement.method", holder, h -> h[0])
                        .description("1 for the clocks the last arrival's interval rests on: server_clock (the store servers') or client_clock (replag's)")
                        .tags(tags.and("method", m)).register(registry);
                return holder;
            })[0] = 1;
            lastMethod = method;
        }
    }

    /** A read of the target saw the canary written at {@code writtenAtMicros} (-1: none there). */
    public void targetData(long writtenAtMicros) {
        if (writtenAtMicros > 0) {
            double seconds = writtenAtMicros / 1e6;
            if (!(seconds <= targetDataSeconds)) {
                targetDataSeconds = seconds;
            }
        }
    }

    public void missed(int count) {
        missed.increment(count);
    }

    /** Unix time of the newest canary seen in the target; NaN before any. */
    public double targetDataTimestampSeconds() {
        return targetDataSeconds;
    }

    public double uncertaintySeconds() {
        return uncertaintySeconds;
    }

    /** source_metric to the store's last figure (NaN when it has none now). */
    public Map<String, Double> nativeLagSnapshot() {
        Map<String, Double> out = new java.util.TreeMap<>();
        nativeLag.forEach((k, v) -> out.put(k, v[0]));
        return out;
    }

    /** source_metric to 1 (stopped) or 0 (running), for the figures that say so; NaN when unknown. */
    public Map<String, Double> nativeStoppedSnapshot() {
        Map<String, Double> out = new java.util.TreeMap<>();
        nativeStopped.forEach((k, v) -> out.put(k, v[0]));
        return out;
    }

    /** The store gave no figure this time (error, replication stopped): show none rather than an old one. */
    public void nativeLagUnknown() {
        nativeLag.values().forEach(h -> h[0] = Double.NaN);
        nativeStopped.values().forEach(h -> h[0] = Double.NaN);
        nativeBytes.values().forEach(h -> h[0] = Double.NaN);
    }

    /** The store's operation counts for the pair (S3 pending and failed replications); NaN when it has none now. */
    public void nativeOperations(Map<String, Double> counts) {
        nativeOperations.values().forEach(h -> h[0] = Double.NaN);
        counts.forEach((metric, value) -> nativeOperations.computeIfAbsent(metric, k -> {
            double[] holder = {Double.NaN};
            Gauge.builder("replag.native.operations", holder, h -> h[0])
                    .description("The store's own count of replication operations for this pair, e.g. pending or failed")
                    .tags(tags.and("source_metric", k)).register(registry);
            return holder;
        })[0] = value);
    }

    /** This round's figures: every source metric not among them shows NaN, not its old value. */
    public void nativeLags(java.util.List<io.replag.agent.spi.NativeLag> figures) {
        nativeLagUnknown();
        for (io.replag.agent.spi.NativeLag f : figures) {
            switch (f.unit()) {
                case SECONDS -> nativeLag(f.sourceMetric(), f.value());
                case BYTES -> nativeBytes.computeIfAbsent(f.sourceMetric(), k -> {
                    double[] holder = {Double.NaN};
                    Gauge.builder("replag.native.lag.bytes", holder, h -> h[0])
                            .description("How many bytes of the replication stream the target is behind its source, as the store reports it")
                            .tags(tags.and("source_metric", k)).register(registry);
                    return holder;
                })[0] = f.value();
                case STATE -> {
                    // a state only: its gauge is replication.stopped below
                }
            }
            if (f.replication() != io.replag.agent.spi.NativeLag.Replication.UNKNOWN) {
                nativeStopped.computeIfAbsent(f.sourceMetric(), k -> {
                    double[] holder = {Double.NaN};
                    Gauge.builder("replag.native.replication.stopped", holder, h -> h[0])
                            .description("1 if the store itself reports replication for this pair as stopped, 0 if running")
                            .tags(tags.and("source_metric", k)).register(registry);
                    return holder;
                })[0] = f.replication() == io.replag.agent.spi.NativeLag.Replication.STOPPED ? 1 : 0;
            }
        }
    }

    public void nativeLag(String sourceMetric, double seconds) {
        nativeLag.computeIfAbsent(sourceMetric, k -> {
            double[] holder = {Double.NaN};
            Gauge.builder("replag.native.lag.seconds", holder, h -> h[0])
                    .description("The store's own lag figure for this pair")
                    .tags(tags.and("source_metric", k)).register(registry);
            return holder;
        })[0] = seconds;
    }
}
