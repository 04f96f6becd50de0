package io.replag.exporter.health;

import io.replag.agent.engine.SetProbe;
import io.replag.agent.engine.SetProbe.PairView;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Replication health per region, for DNS failover (Route 53 health checks). Evaluated on a
 * timer, so that the grace period is measured in real time and not between two health checks;
 * answered from the last evaluation. A breach must last {@code grace} before the region is
 * reported unhealthy; recovery is reported at once.
 */
public final class RegionHealth {
    /** Route 53 matches strings in the first 5,120 bytes of the body. */
    static final int MAX_BODY = 5_120;

    public record Status(boolean healthy, String body) {
    }

    /** A set whose store counts, with the pairs that count for one region: fixed for a configuration. */
    private record Counted(SetProbe set, String name, List<PairView> pairs) {
    }

    private final RegionHealthConfig config;
    private final LongSupplier nanoTime;
    private final Set<String> regions = new LinkedHashSet<>();
    /** Region to what counts for it, computed once: evaluation runs every second. */
    private final Map<String, List<Counted>> counted = new LinkedHashMap<>();
    private final Map<String, Long> breachSince = new LinkedHashMap<>();
    private final Map<String, Status> last = new LinkedHashMap<>();

    public RegionHealth(RegionHealthConfig config, List<SetProbe> sets, LongSupplier nanoTime) {
        this.config = config;
        this.nanoTime = nanoTime;
        for (SetProbe set : sets) {
            if (!counts(set.set().store())) {
                continue;
            }
            List<PairView> views = set.pairViews();
            String name = set.set().store() + "/" + set.set().name();
            for (String region : set.set().endpoints().keySet()) {
                regions.add(region);
                counted.computeIfAbsent(region, r -> new ArrayList<>())
                        .add(new Counted(set, name, views.stream().filter(p -> counts(p, region)).toList()));
            }
        }
        regions.forEach(r -> breachSince.put(r, nanoTime.getAsLong())); // nothing measured yet: a breach that grace covers
    }

    private boolean counts(String store) {
        return config.stores().isEmpty() || config.stores().contains(store);
    }

    private boolean counts(PairView pair, String region) {
        return switch (config.directions()) {
            case "into" -> pair.target().equals(region);
            case "out" -> pair.source().equals(region);
            default -> pair.target().equals(region) || pair.source().equals(region);
        };
    }

    /** Re-evaluates every region; call about once a second. */
    public synchronized void evaluate() {
        long now = nanoTime.getAsLong();
        for (String region : regions) {
            List<String> problems = problems(region);
            if (problems.isEmpty()) {
                breachSince.remove(region);
                last.put(region, new Status(true, "OK " + region + ": replication within " + seconds(config.maxLag().toMillis())
                        + " (" + countedPairs(region) + " pairs)\n"));
                continue;
            }
            long since = breachSince.computeIfAbsent(region, r -> now);
            long forMillis = (now - since) / 1_000_000;
            boolean failing = forMillis >= config.grace().toMillis();
            StringBuilder body = new StringBuilder(failing ? "FAIL " : "OK ").append(region).append(": ");
            body.append(failing ? "" : "within grace (" + seconds(forMillis) + " of " + seconds(config.grace().toMillis()) + "); ");
            body.append(String.join("; ", problems)).append('\n');
            String text = body.length() > MAX_BODY ? body.substring(0, MAX_BODY - 4) + "...\n" : body.toString();
            last.put(region, new Status(!failing, text));
        }
    }

    private int countedPairs(String region) {
        return counted.get(region).stream().mapToInt(c -> c.pairs().size()).sum();
    }

    private List<String> problems(String region) {
        List<String> problems = new ArrayList<>();
        double maxLag = config.maxLag().toMillis() / 1000.0;
        for (Counted c : counted.get(region)) {
            if (c.set().endpointUp(region) == 0) {
                problems.add(c.name() + " endpoint in " + region + " failing");
            }
            for (PairView pair : c.pairs()) {
                double lag = pair.lagSeconds().getAsDouble();
                if (Double.isNaN(lag)) {
                    problems.add(c.name() + " " + pair.source() + "->" + pair.target() + " not measured yet");
                } else if (lag > maxLag) {
                    problems.add(c.name() + " " + pair.source() + "->" + pair.target() + " lag " + String.format("%.1fs", lag)
                            + " > " + seconds(config.maxLag().toMillis()));
                }
            }
        }
        return problems;
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + "s" : String.format("%.1fs", millis / 1000.0);
    }

    /** The last evaluation for the region, or empty if replag does not know the region. */
    public synchronized Optional<Status> status(String region) {
        if (!regions.contains(region)) {
            return Optional.empty();
        }
        Status s = last.get(region);
        return Optional.of(s != null ? s : new Status(true, "OK " + region + ": starting, within grace\n"));
    }
}
