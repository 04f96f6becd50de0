package io.replag.agent.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.replag.agent.burst.BurstPlan;
import io.replag.agent.burst.BurstReport;

import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The last {@code replag burst} run's figures (docs/metrics.md, "Burst"): NaN until it has
 * ended, then its results until the process exits; a dashboard keeps the last one with
 * {@code last_over_time}.
 */
public final class BurstMeters {
    private volatile double running = 0;
    private volatile BurstReport report;
    private final Map<String, BurstReport.Target> targets = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile double endedSeconds = Double.NaN;

    public BurstMeters(MeterRegistry registry, BurstPlan plan) {
        Tags source = Tags.of("store", plan.store(), "resource", plan.resource(), "source_region", plan.source());
        Gauge.builder("replag.burst.running", this, m -> m.running)
                .description("1 while a burst runs (writing or still reading), 0 once it has ended").tags(source).strongReference(true).register(registry);
        Gauge.builder("replag.burst.last.run.timestamp.seconds", this, m -> m.endedSeconds)
                .description("Unix time at which the burst ended").tags(source).strongReference(true).register(registry);
        sourceGauge(registry, source, "replag.burst.written.records", "Records the burst wrote (acknowledged)", r -> r.written());
        sourceGauge(registry, source, "replag.burst.write.rate", "Records per second the burst achieved, first send to last acknowledgement", BurstReport::achievedRate);
        sourceGauge(registry, source, "replag.burst.throttled.writes", "Writes the store refused for throughput (each written again)", r -> r.throttled());
        sourceGauge(registry, source, "replag.burst.failed.writes", "Records whose write failed (never expected in a target)", r -> r.writeErrors());
        sourceGauge(registry, source, "replag.burst.read.after.seconds", "The burst's read-after: when each record was looked for after its write", r -> r.plan().readAfter().toMillis() / 1000.0);
        for (String target : plan.targets()) {
            Tags tags = source.and("target_region", target);
            targetGauge(registry, tags, target, "replag.burst.visible.ratio", "Share of the burst's records visible in the target at read-after", BurstReport.Target::visibleShare);
            targetGauge(registry, tags, target, "replag.burst.lost.records", "The burst's records still missing in the target at the deadline", t -> t.lost());
            targetGauge(registry, tags, target, "replag.burst.unread.records", "The burst's records the target could not be read for at the deadline (unknown, not lost)", t -> t.unread());
            targetGauge(registry, tags, target, "replag.burst.arrived.records", "The burst's records seen in the target", t -> t.arrived());
            targetGauge(registry, tags.and("quantile", "0.5"), target, "replag.burst.latency.seconds", "Replication latency of the burst's records that arrived, by quantile (1: the max)", BurstReport.Target::latencyP50);
            targetGauge(registry, tags.and("quantile", "0.99"), target, "replag.burst.latency.seconds", "", BurstReport.Target::latencyP99);
            targetGauge(registry, tags.and("quantile", "1"), target, "replag.burst.latency.seconds", "", BurstReport.Target::latencyMax);
        }
    }

    private void sourceGauge(MeterRegistry registry, Tags tags, String name, String help, ToDoubleFunction<BurstReport> value) {
        Gauge.builder(name, this, m -> m.report == null ? Double.NaN : value.applyAsDouble(m.report)).description(help).tags(tags).strongReference(true).register(registry);
    }

    private void targetGauge(MeterRegistry registry, Tags tags, String target, String name, String help, ToDoubleFunction<BurstReport.Target> value) {
        Gauge.builder(name, this, m -> {
            BurstReport.Target t = m.targets.get(target);
            return t == null ? Double.NaN : value.applyAsDouble(t);
        }).description(help).tags(tags).strongReference(true).register(registry);
    }

    public void started() {
        running = 1;
    }

    public synchronized void ended(BurstReport ended, long nowMicros) {
        ended.targets().forEach(t -> targets.put(t.region(), t));
        report = ended;
        endedSeconds = nowMicros / 1e6;
        running = 0;
    }
}
