package io.replag.exporter.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replag.agent.metrics.PairMeters;
import io.replag.agent.metrics.ReplagMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast /metrics page says exactly what the Prometheus client's generic writer says. */
class MetricsPageTest {

    static Set<String> samples(String page) {
        return page.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .filter(l -> !l.startsWith("jvm_")) // JVM gauges move between the two renders
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static Set<String> types(String page) {
        return page.lines().filter(l -> l.startsWith("# TYPE replag_") || l.startsWith("# HELP replag_")).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void replagFamiliesRenderAsTheGenericWriterRendersThem() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PrometheusMeterRegistry jvm = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(jvm);
        ReplagMetrics metrics = new ReplagMetrics(registry);
        PairMeters pair = metrics.pair("postgres", "orders", "us-east-1", "eu-west-1");
        pair.lagNow(() -> 0.013585);
        pair.written(1_700_000_000_123_456L);
        pair.arrived(2_018_824, 17_379, 1_700_000_002_142_280L, "server_clock");
        pair.arrived(4_000, 4_000, 1_700_000_003_000_000L, "client_clock");
        pair.targetData(1_700_000_002_000_000L);
        metrics.endpoint("postgres", "orders", "eu-west-1").took(io.replag.agent.spi.StoreOperation.READ, 81_000);
        pair.missed(2);
        pair.nativeLags(List.of(new io.replag.agent.spi.NativeLag("pg_last_xact_replay_timestamp", 2.07654)));
        metrics.pair("s3", "a \"quoted\" \\ name", "us-east-1", "ap-southeast-2").lagNow(() -> Double.NaN);
        metrics.error("postgres", "orders", "eu-west-1", "read", "connection_refused");
        metrics.probeInterval("postgres", "orders", Duration.ofSeconds(1));
        metrics.writeScheduleDelay("postgres", "orders", "us-east-1").record(3, TimeUnit.MILLISECONDS);
        metrics.replicationStatus("s3", "assets", "us-east-1", java.util.List.of("PENDING", "COMPLETED", "FAILED", "REPLICA", "NONE")).accept("FAILED");

        String generic = registry.scrape();
        String fast = new MetricsPage(jvm, registry).render();
        assertThat(samples(fast)).isEqualTo(samples(generic));
        assertThat(types(fast)).isEqualTo(types(generic));
        assertThat(fast).as("the JVM families come first").contains("# TYPE jvm_memory_used_bytes gauge\n");
        assertThat(fast).contains("replag_arrival_latency_seconds_bucket{resource=\"orders\",source_region=\"us-east-1\",store=\"postgres\",target_region=\"eu-west-1\",le=\"0.005\"} 1");
    }
}
