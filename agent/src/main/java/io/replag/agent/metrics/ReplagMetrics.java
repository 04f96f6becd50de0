package io.replag.agent.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metric contract (docs/metrics.md), in one place: names, labels and histogram buckets.
 * Engine code asks here for the meters of a pair or an endpoint and never names a metric itself.
 */
public final class ReplagMetrics {

    /** Arrival latency buckets, 5 ms to 15 min: 16 finite buckets per pair. */
    public static final List<Duration> LATENCY_BUCKETS = List.of(
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300), Duration.ofSeconds(900));

    /** Write schedule delay buckets, 1 ms to 5 s: 11 per writing region. */
    public static final List<Duration> SCHEDULE_DELAY_BUCKETS = List.of(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5));

    /** Store call duration buckets, 1 ms to 10 s: a call's round trip shows how far the prober is from the region. */
    public static final List<Duration> CALL_BUCKETS = List.of(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(150),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(10));

    private final MeterRegistry registry;
    private final Map<Tags, Counter> errors = new ConcurrentHashMap<>();

    /** Tags on every meter: {@code agent} in per-region mode, none otherwise. */
    private final Tags common;

    public ReplagMetrics(MeterRegistry registry) {
        this(registry, Tags.empty());
    }

    /** @param common tags on every meter of this agent, e.g. {@code agent=replag@eu-west-1} where several agents share one page */
    public ReplagMetrics(MeterRegistry registry, Tags common) {
        this.registry = registry;
        this.common = common;
    }

    Tags common() {
        return common;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public PairMeters pair(String store, String resource, String source, String target) {
        return new PairMeters(registry, common.and("store", store, "resource", resource,
                "source_region", source, "target_region", target));
    }

    public EndpointHealth endpoint(String store, String resource, String region) {
        return new EndpointHealth(this, registry, store, resource, region);
    }

    /** How long one kind of store call to one endpoint takes, answered or failed. */
    public Timer storeCall(String store, String resource, String region, String op) {
        return Timer.builder("replag.store.call.duration")
                .description("Duration of store calls per endpoint and operation: the round trip to the region and the store's own time")
                .tags(common.and("store", store, "resource", resource, "region", region, "op", op))
                .serviceLevelObjectives(CALL_BUCKETS.toArray(Duration[]::new))
                .publishPercentileHistogram(false)
                .register(registry);
    }

    /** This agent's clock error bound, read at scrape time. */
    public void clockErrorBound(java.util.function.LongSupplier micros) {
        Gauge.builder("replag.clock.error.bound.seconds", micros, m -> m.getAsLong() / 1e6)
                .description("Bound of this agent's clock error (chrony's, as AWS ClockBound derives it, or clock.max_error)")
                .tags(common).strongReference(true).register(registry);
    }

    /** The set's configured canary interval, so that rules can scale with it (docs/metrics.md). */
    public void probeInterval(String store, String resource, Duration interval) {
        double seconds = interval.toNanos() / 1e9;
        Gauge.builder("replag.probe.interval.seconds", () -> seconds)
                .description("Configured time between canary writes per source region")
                .tags(common.and("store", store, "resource", resource)).strongReference(true).register(registry);
    }

    /**
     * When the region's writer last had a canary acknowledged, or started if none was yet: the
     * writer's staleness, which no read can mask (ReplagCanaryWriterSilent). Read at scrape time.
     */
    public void writerLastSuccess(String store, String resource, String region, java.util.function.DoubleSupplier unixSeconds) {
        Gauge.builder("replag.writer.last.success.timestamp.seconds", unixSeconds, java.util.function.DoubleSupplier::getAsDouble)
                .description("Unix time of the last canary acknowledged in the region, or of the writer's start if none was")
                .tags(common.and("store", store, "resource", resource, "region", region)).strongReference(true).register(registry);
    }

    /** How late one source's writes run against their planned time: the engine loop's own delay. */
    public Timer writeScheduleDelay(String store, String resource, String region) {
        return Timer.builder("replag.write.schedule.delay")
                .description("Delay between a canary's planned and actual write time")
                .tags(common.and("store", store, "resource", resource, "region", region))
                .serviceLevelObjectives(SCHEDULE_DELAY_BUCKETS.toArray(Duration[]::new))
                .publishPercentileHistogram(false)
                .register(registry);
    }

    /**
     * The replication status of the newest canary in one source region: 1 on the current status,
     * 0 on the others, NaN on all while unknown (before the first read, after a failed read).
     * {@code statuses} are the values the store can answer. Returns the setter; {@code null} means unknown.
     */
    public java.util.function.Consumer<String> replicationStatus(String store, String resource, String region, List<String> statuses) {
        Map<String, double[]> holders = new java.util.LinkedHashMap<>();
        for (String status : statuses) {
            double[] holder = {Double.NaN};
            holders.put(status, holder);
            Gauge.builder("replag.replication.status", holder, h -> h[0])
                    .description("1 for the store's own replication status of the newest canary written in the region")
                    .tags(common.and("store", store, "resource", resource, "region", region, "status", status)).register(registry);
        }
        return current -> holders.forEach((status, h) -> h[0] = current == null ? Double.NaN : status.equals(current) ? 1 : 0);
    }

    /** The convergence probe's meters of one set, with a winner gauge and flip-flop counter per region. */
    public ConvergenceMeters convergence(String store, String resource, List<String> regions) {
        return new ConvergenceMeters(registry, common.and("store", store, "resource", resource), regions);
    }

    /** Counts one failed store call; {@code op} is write, read, native, status or prepare. */
    public void error(String store, String resource, String region, String op, String reason) {
        Tags tags = common.and("store", store, "resource", resource, "region", region, "op", op, "reason", reason);
        errors.computeIfAbsent(tags, t -> Counter.builder("replag.errors")
                        .description("Failed store calls, by operation and reason")
                        .tags(t).register(registry))
                .increment();
    }
}
