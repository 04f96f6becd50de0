package io.replag.exporter.health;

import io.replag.agent.engine.SetView;
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
 *
 * <p>A breach counts only against the region the evidence points at (docs/failover.md):
 * <ul>
 *   <li>a region's own endpoint failing, or its writer having written nothing for three intervals,
 *   counts against that region, and explains every breached pair that touches it;</li>
 *   <li>a pair that stalls with both ends working counts against its source when the source's
 *   other pairs stall too and the target receives fine from other sources; against its target in
 *   the mirror case; against both when both are implicated; and otherwise against its target, the
 *   region whose data is stale (the reason says "ambiguous" when nothing else tells, as in a
 *   two-region set).</li>
 * </ul>
 * So when every pair touching a region stalls and nothing else does, only that region is
 * unhealthy: a dead peer never takes a healthy region down.
 */
public final class RegionHealth {
    /** Route 53 matches strings in the first 5,120 bytes of the body. */
    static final int MAX_BODY = 5_120;

    /** What the region view shows: OK, OK within grace, or FAIL. */
    public enum Verdict { OK, GRACE, FAIL }

    /**
     * The last evaluation of one region.
     *
     * @param body         the one-line answer (Route 53 matches its start)
     * @param sinceMillis  wall-clock ms when the verdict last changed
     */
    public record Status(boolean healthy, String body, Verdict verdict, long sinceMillis) {
        public Status(boolean healthy, String body) {
            this(healthy, body, healthy ? Verdict.OK : Verdict.FAIL, System.currentTimeMillis());
        }
    }

    /** A set whose store counts, with all its pairs. */
    private record Counted(SetView set, String name, List<PairView> pairs) {
    }

    /**
     * How many agents' evidence this answer rests on (per-region mode with peers).
     *
     * @param reached agents whose evidence is fresh, this one included
     * @param of      agents configured
     * @param missing the regions whose agent did not answer
     */
    public record Quorum(int reached, int of, List<String> missing) {
        public boolean met() {
            return reached >= of / 2 + 1;
        }
    }

    private final RegionHealthConfig config;
    private final LongSupplier nanoTime;
    private final String onlyRegion;
    private final Set<String> regions = new LinkedHashSet<>();
    /** The sets whose store counts; live where peers' evidence comes and goes. */
    private final java.util.function.Supplier<List<? extends SetView>> views;
    private final java.util.function.Supplier<Quorum> quorum;
    private List<Counted> counted = new ArrayList<>();
    private final Map<String, Long> breachSince = new LinkedHashMap<>();
    private final Map<String, Status> last = new LinkedHashMap<>();

    public RegionHealth(RegionHealthConfig config, List<? extends SetView> sets, LongSupplier nanoTime) {
        this(config, sets, nanoTime, null);
    }

    /**
     * @param onlyRegion in per-region mode, the one region this agent judges (it measures only the
     *                   pairs into it); null to judge every region of the counted sets
     */
    public RegionHealth(RegionHealthConfig config, List<? extends SetView> sets, LongSupplier nanoTime, String onlyRegion) {
        this(config, () -> sets, nanoTime, onlyRegion, () -> null);
    }

    /**
     * Region health from a quorum of agents (per-region mode with peers): the views are this
     * agent's and its peers' evidence, merged, taken afresh at every evaluation; every region of the
     * sets is judged; and without a quorum every answer is 503 and says so.
     */
    public RegionHealth(RegionHealthConfig config, java.util.function.Supplier<List<? extends SetView>> views, LongSupplier nanoTime,
                        String onlyRegion, java.util.function.Supplier<Quorum> quorum) {
        this.config = config;
        this.nanoTime = nanoTime;
        this.onlyRegion = onlyRegion;
        this.views = views;
        this.quorum = quorum;
        count();
        for (Counted c : counted) {
            c.set().set().endpoints().keySet().stream().filter(r -> onlyRegion == null || r.equals(onlyRegion)).forEach(regions::add);
        }
        regions.forEach(r -> breachSince.put(r, nanoTime.getAsLong())); // nothing measured yet: a breach that grace covers
    }

    private void count() {
        List<Counted> now = new ArrayList<>();
        for (SetView set : views.get()) {
            if (config.stores().isEmpty() || config.stores().contains(set.set().store())) {
                now.add(new Counted(set, set.set().store() + "/" + set.set().name(), set.pairViews()));
            }
        }
        counted = now;
    }

    /** Re-evaluates every region; call about once a second. */
    public synchronized void evaluate() {
        long now = nanoTime.getAsLong();
        count();
        Quorum q = quorum.get();
        Map<String, List<String>> problems = problems(q == null ? List.of() : q.missing());
        for (String region : regions) {
            List<String> found = problems.getOrDefault(region, List.of());
            Status before = last.get(region);
            if (q != null && !q.met()) {
                // a cut-off agent must not judge alone: a calculated health check over several agents outvotes it
                breachSince.remove(region);
                put(region, before, false, Verdict.FAIL, "FAIL " + region + ": no quorum: " + q.reached() + " of " + q.of()
                        + " agents reachable (not answering: " + String.join(", ", q.missing()) + ")\n");
                continue;
            }
            if (found.isEmpty()) {
                breachSince.remove(region);
                put(region, before, true, Verdict.OK, "OK " + region + ": replication within " + seconds(config.maxLag().toMillis())
                        + " (" + pairsTouching(region) + " pairs)\n");
                continue;
            }
            long since = breachSince.computeIfAbsent(region, r -> now);
            long forMillis = (now - since) / 1_000_000;
            boolean failing = forMillis >= config.grace().toMillis();
            StringBuilder body = new StringBuilder(failing ? "FAIL " : "OK ").append(region).append(": ");
            body.append(failing ? "" : "within grace (" + seconds(forMillis) + " of " + seconds(config.grace().toMillis()) + "); ");
            body.append(String.join("; ", found)).append('\n');
            String text = body.length() > MAX_BODY ? body.substring(0, MAX_BODY - 4) + "...\n" : body.toString();
            put(region, before, !failing, failing ? Verdict.FAIL : Verdict.GRACE, text);
        }
    }

    private void put(String region, Status before, boolean healthy, Verdict verdict, String body) {
        long since = before != null && before.verdict() == verdict ? before.sinceMillis() : System.currentTimeMillis();
        last.put(region, new Status(healthy, body, verdict, since));
    }

    private int pairsTouching(String region) {
        int n = 0;
        for (Counted c : counted) {
            for (PairView p : c.pairs()) {
                if (p.source().equals(region) || p.target().equals(region)) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Region to what counts against it now.
     *
     * @param agentsMissing regions whose agent does not answer its peers (per-region mode): that
     *                      counts against the region and explains every breached pair touching it,
     *                      as a failing endpoint does (its agent is its region's prober and writer)
     */
    private Map<String, List<String>> problems(List<String> agentsMissing) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String region : agentsMissing) {
            if (regions.contains(region)) {
                add(out, region, "the agent in " + region + " does not answer its peers");
            }
        }
        double maxLag = config.maxLag().toMillis() / 1000.0;
        boolean into = !config.directions().equals("out");
        boolean outOf = !config.directions().equals("into");
        for (Counted c : counted) {
            SetView set = c.set();
            Set<String> down = new LinkedHashSet<>(agentsMissing);
            Set<String> silent = new LinkedHashSet<>();
            for (String region : set.set().endpoints().keySet()) {
                if (set.endpointUp(region) == 0) {
                    down.add(region);
                    add(out, region, c.name() + " endpoint in " + region + " failing");
                }
                // a writer that fails while its region still answers reads: replag_up flaps, this does not
                if (set.writerSilentSeconds(region) > set.writerStaleAfterSeconds()) {
                    silent.add(region);
                    if (outOf) {
                        add(out, region, c.name() + " no canary written in " + region + " for "
                                + String.format("%.0fs", set.writerSilentSeconds(region)));
                    }
                }
            }
            Map<PairView, String> breached = new LinkedHashMap<>();
            for (PairView p : c.pairs()) {
                double lag = p.lagSeconds().getAsDouble();
                if (Double.isNaN(lag)) {
                    breached.put(p, "not measured yet");
                } else if (lag > maxLag) {
                    breached.put(p, "lag " + String.format("%.1fs", lag) + " > " + seconds(config.maxLag().toMillis()));
                }
            }
            for (var e : breached.entrySet()) {
                PairView p = e.getKey();
                if (down.contains(p.source()) || down.contains(p.target()) || silent.contains(p.source())) {
                    continue; // explained by the endpoint or writer that fails, which already counts against its region
                }
                String what = c.name() + " " + p.source() + "->" + p.target() + " " + e.getValue();
                List<PairView> outOthers = c.pairs().stream().filter(o -> o.source().equals(p.source()) && !o.target().equals(p.target())).toList();
                List<PairView> intoOthers = c.pairs().stream().filter(o -> o.target().equals(p.target()) && !o.source().equals(p.source())).toList();
                boolean outStalls = !outOthers.isEmpty() && outOthers.stream().allMatch(breached::containsKey);
                boolean outFine = !outOthers.isEmpty() && outOthers.stream().noneMatch(breached::containsKey);
                boolean intoStalls = !intoOthers.isEmpty() && intoOthers.stream().allMatch(breached::containsKey);
                boolean intoFine = !intoOthers.isEmpty() && intoOthers.stream().noneMatch(breached::containsKey);
                if (outStalls && intoFine) {
                    if (outOf) {
                        add(out, p.source(), what + " (replication out of " + p.source() + " stalls to every target)");
                    }
                } else if (intoStalls && outFine) {
                    if (into) {
                        add(out, p.target(), what + " (replication into " + p.target() + " stalls from every source)");
                    }
                } else if (outStalls && intoStalls) {
                    if (outOf) {
                        add(out, p.source(), what + " (both ends implicated)");
                    }
                    if (into) {
                        add(out, p.target(), what + " (both ends implicated)");
                    }
                } else if (into) {
                    // nothing points at the source: the target's data is stale, so it counts there
                    add(out, p.target(), what + (outFine || intoFine ? "" : " (ambiguous: counted against the target, whose data is stale)"));
                }
            }
        }
        return out;
    }

    private static void add(Map<String, List<String>> out, String region, String problem) {
        out.computeIfAbsent(region, r -> new ArrayList<>()).add(problem);
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
        return Optional.of(s != null ? s : new Status(true, "OK " + region + ": starting, within grace\n", Verdict.GRACE,
                System.currentTimeMillis()));
    }

    /** The region this agent alone judges (per-region mode), or null. */
    public String onlyRegion() {
        return onlyRegion;
    }

    /** Every region replag judges, in configuration order. */
    public List<String> regions() {
        return List.copyOf(regions);
    }
}
