package io.replag.exporter.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code /metrics} page. replag's own meters (tens per pair, so hundreds of thousands at
 * 10,000 pairs) live in a registry of their own and are written here directly from the
 * Micrometer meters, family by family; the JVM and process meters, in another registry, go
 * through the Prometheus client's writer. The generic path snapshots, validates, sorts and
 * re-labels every sample on each scrape, which took ~500 ms at 10,000 pairs
 * (docs/performance.md); the output is the same text format, names and labels
 * (MetricsPageTest compares the two).
 */
public final class MetricsPage {
    private static final String PREFIX = "replag.";

    private final PrometheusMeterRegistry others;
    private final PrometheusMeterRegistry registry;
    /** Label blocks of the last render, by meter identity: a meter's tags never change. */
    private IdentityHashMap<Meter, String> labelCache = new IdentityHashMap<>();
    /** The last page's size, so that the next one is built without regrowing its buffer. */
    private int lastSize = 1 << 16;

    /**
     * @param others   rendered through the client's writer first (JVM, process); may be null
     * @param registry replag's own meters, rendered here
     */
    public MetricsPage(PrometheusMeterRegistry others, PrometheusMeterRegistry registry) {
        this.others = others;
        this.registry = registry;
    }

    /** The page as served. Scrapes are serialized: each reuses the last one's label blocks. */
    public synchronized String render() {
        Map<String, List<Meter>> families = new LinkedHashMap<>();
        IdentityHashMap<Meter, String> labels = new IdentityHashMap<>(labelCache.size() * 2 + 16);
        for (Meter m : registry.getMeters()) {
            Meter.Id id = m.getId();
            if (id.getName().startsWith(PREFIX)) {
                families.computeIfAbsent(id.getName(), k -> new ArrayList<>()).add(m);
                String cached = labelCache.get(m);
                labels.put(m, cached != null ? cached : labels(m));
            }
        }
        labelCache = labels; // meters gone since the last render drop out here
        StringBuilder out = new StringBuilder(lastSize + (lastSize >> 4));
        if (others != null) {
            out.append(others.scrape());
        }
        families.values().stream().sorted((a, b) -> a.get(0).getId().getName().compareTo(b.get(0).getId().getName()))
                .forEach(family -> family(out, family, labels));
        lastSize = out.length();
        return out.toString();
    }

    private static void family(StringBuilder out, List<Meter> meters, Map<Meter, String> labelOf) {
        Meter first = meters.get(0);
        String name = first.getId().getName().replace('.', '_');
        String help = first.getId().getDescription() == null ? "" : escapeHelp(first.getId().getDescription());
        if (first instanceof Timer) {
            String base = name + "_seconds";
            header(out, base, help, "histogram");
            for (Meter m : meters) {
                Timer t = (Timer) m;
                HistogramSnapshot s = t.takeSnapshot();
                String labels = labelOf.get(m);
                String open = labels.isEmpty() ? "{" : labels.substring(0, labels.length() - 1) + ",";
                for (CountAtBucket b : s.histogramCounts()) {
                    out.append(base).append("_bucket").append(open).append("le=\"").append(b.bucket(TimeUnit.SECONDS))
                            .append("\"} ").append((long) b.count()).append('\n');
                }
                out.append(base).append("_bucket").append(open).append("le=\"+Inf\"} ").append(s.count()).append('\n');
                out.append(base).append("_count").append(labels).append(' ').append(s.count()).append('\n');
                out.append(base).append("_sum").append(labels).append(' ');
                number(out, s.total(TimeUnit.SECONDS));
                out.append('\n');
            }
            header(out, base + "_max", help, "gauge");
            for (Meter m : meters) {
                out.append(base).append("_max").append(labelOf.get(m)).append(' ');
                number(out, ((Timer) m).max(TimeUnit.SECONDS));
                out.append('\n');
            }
        } else if (first instanceof Counter) {
            header(out, name + "_total", help, "counter");
            for (Meter m : meters) {
                out.append(name).append("_total").append(labelOf.get(m)).append(' ');
                number(out, ((Counter) m).count());
                out.append('\n');
            }
        } else if (first instanceof Gauge) {
            header(out, name, help, "gauge");
            for (Meter m : meters) {
                out.append(name).append(labelOf.get(m)).append(' ');
                number(out, ((Gauge) m).value());
                out.append('\n');
            }
        } else {
            throw new IllegalStateException("replag meter of an unexpected type: " + first.getId());
        }
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** {@code {k="v",...}} in key order (Micrometer keeps tags sorted), values escaped; empty without tags. */
    static String labels(Meter m) {
        List<Tag> tags = m.getId().getTags();
        if (tags.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(96).append('{');
        for (int i = 0; i < tags.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(tags.get(i).getKey()).append("=\"");
            escapeLabel(b, tags.get(i).getValue());
            b.append('"');
        }
        return b.append('}').toString();
    }

    private static void escapeLabel(StringBuilder b, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
    }

    private static String escapeHelp(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }

    static void number(StringBuilder out, double v) {
        if (Double.isNaN(v)) {
            out.append("NaN");
        } else if (Double.isInfinite(v)) {
            out.append(v > 0 ? "+Inf" : "-Inf");
        } else {
            out.append(v);
        }
    }
}
