package io.replag.tools.conformance;

import io.micrometer.core.instrument.Counter;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationPair;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.engine.Arrival;
import io.replag.exporter.Await;
import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.config.ReplagConfig;
import io.replag.lab.Lab;
import io.replag.lab.LabRegions;
import io.replag.lab.LabStore;
import io.replag.lab.LabStoreProvider;
import io.replag.lab.LabStores;
import io.replag.lab.LabUnavailable;
import io.replag.lab.LinkChange;
import io.replag.lab.distance.Geography;
import io.replag.tools.demo.Demo;
import io.replag.tools.lab.LabControl;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every store shows on its lab, in one place: the same scenarios for every store found
 * ({@link LabStores}), each on the store's demo set with its lab alone at zero distance. The
 * measured pair is the set's first; "the others" are every pair of the set but that one, and
 * while a region is stopped, every pair that does not touch it.
 * <ol>
 *   <li>every pair is measured, and healthy pairs stay under 0.5 s;</li>
 *   <li>a 1 s delay on one link is measured on that pair, within the reported interval where the
 *       lab's delay is exact, and on no other pair;</li>
 *   <li>a paused link raises that pair's lag for as long as the pause, no other, and no canary is
 *       missed within the deadline; resume heals it;</li>
 *   <li>a stopped region is down with read errors, the pairs that do not touch it keep arriving,
 *       the source stays up; a restart heals it;</li>
 *   <li>a restarted exporter continues the seq with no gap, no missed canary, no lag spike and no
 *       stale_seq refusal.</li>
 * </ol>
 * Store-specific behaviour (native figures, replication status, fault reasons, the lab API) stays in
 * each store's own lab IT.
 */
class StoreLabIT {

    record Seen(ReplicationPair pair, Arrival arrival) {
    }

    /** One store's lab, the exporter probing it, and what arrived. */
    static final class Run {
        final String store;
        Lab lab;
        LabStore labStore;
        ReplagRuntime runtime;
        ReplicationSet set;
        final ConcurrentLinkedQueue<Seen> arrivals = new ConcurrentLinkedQueue<>();
        java.util.Set<String> tempBefore;

        Run(String store) {
            this.store = store;
        }

        ReplicationPair measured() {
            return set.pairs().get(0);
        }

        List<ReplicationPair> others() {
            return set.pairs().stream().filter(p -> !p.equals(measured())).toList();
        }

        List<ReplicationPair> notTouching(String region) {
            return set.pairs().stream().filter(p -> !p.source().equals(region) && !p.target().equals(region)).toList();
        }

        double lag(ReplicationPair p) {
            return runtime.registry().find("replag.lag.seconds")
                    .tags("store", store, "source_region", p.source(), "target_region", p.target()).gauge().value();
        }

        double up(String region) {
            return runtime.registry().find("replag.up").tags("store", store, "region", region).gauge().value();
        }

        double count(String meter, String... tags) {
            return runtime.registry().find(meter).tags("store", store).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
        }

        long lastSeq(ReplicationPair p) {
            return arrivals.stream().filter(s -> s.pair.equals(p)).mapToLong(s -> s.arrival.seq()).max().orElse(0);
        }

        boolean allBelow(List<ReplicationPair> pairs, double seconds) {
            return pairs.stream().allMatch(p -> lag(p) < seconds);
        }

        void start() throws Exception {
            LabStoreProvider provider = LabStores.byStore(store).orElseThrow();
            tempBefore = labTemp();
            try {
                labStore = provider.start(LabRegions.DEMO, Geography.NONE);
            } catch (LabUnavailable e) {
                System.out.println("StoreLabIT skipped for " + store + ": its lab cannot run here: " + e.getMessage());
                Assumptions.abort(e.getMessage());
            }
            lab = new Lab(List.of(labStore));
            startRuntime();
        }

        void startRuntime() throws Exception {
            ReplagConfig config = Demo.config(lab, "127.0.0.1", 0, ProbeTiming.DEFAULT);
            set = config.sets().get(0);
            runtime = new ReplagRuntime(config, LabControl.of(lab), (s, pair, a) -> arrivals.add(new Seen(pair, a)));
            runtime.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }

        void stop() throws Exception {
            if (runtime != null) {
                runtime.stop().get(15, TimeUnit.SECONDS);
            }
            if (lab != null) {
                lab.close();
                assertThat(labTemp()).as("the " + store + " lab leaves nothing behind in the temp directory").isEqualTo(tempBefore);
            }
        }

        /** What the labs keep in the temp directory (their names start with replag-lab). */
        static java.util.Set<String> labTemp() throws java.io.IOException {
            try (var files = java.nio.file.Files.list(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
                return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("replag-lab"))
                        .collect(java.util.stream.Collectors.toSet());
            }
        }

        void healthy() {
            Await.until(Duration.ofSeconds(30), store + ": every pair arriving and under 0.5 s",
                    () -> set.pairs().stream().allMatch(p -> lastSeq(p) > 1) && allBelow(set.pairs(), 0.5));
        }
    }

    @TestFactory
    Stream<DynamicContainer> everyStoreOnItsLab() {
        return LabStores.all().stream().map(provider -> {
            Run run = new Run(provider.store());
            return DynamicContainer.dynamicContainer(provider.store(), Stream.of(
                    step("start and measure every pair", run, () -> {
                        run.start();
                        run.healthy();
                    }),
                    step("a 1 s delay is measured on that pair only", run, () -> delay(run)),
                    step("a pause raises only that pair's lag, resume heals", run, () -> pause(run)),
                    step("a stopped region is down while the others keep arriving", run, () -> stoppedRegion(run)),
                    step("a restarted exporter continues the seq", run, () -> restart(run)),
                    DynamicTest.dynamicTest("stop, leaving nothing behind", run::stop)));
        });
    }

    private static DynamicTest step(String name, Run run, Executable body) {
        return DynamicTest.dynamicTest(name, () -> {
            Assumptions.assumeTrue(run.lab != null || name.startsWith("start"), run.store + ": its lab did not start");
            body.execute();
        });
    }

    static void delay(Run run) throws Exception {
        run.healthy();
        ReplicationPair p = run.measured();
        run.lab.change(run.store, p.source(), p.target(), LinkChange.delay(1000, 0));
        try {
            long after = run.lastSeq(p) + 2;
            Await.until(Duration.ofSeconds(30), "3 delayed arrivals on " + p, () -> run.lastSeq(p) >= after + 3);
            run.arrivals.stream().filter(s -> s.pair.equals(p) && s.arrival.seq() > after).limit(3).forEach(s -> {
                double lower = s.arrival.lowerMicros() / 1e6, upper = s.arrival.upperMicros() / 1e6;
                System.out.printf("%s delay 1000 ms on %s: measured %.3f s, interval [%.3f, %.3f]%n", run.store, p,
                        s.arrival.latencyMicros() / 1e6, lower, upper);
                if (run.labStore.exactDelays()) {
                    // the injected delay is a lower bound of the true one: replag's interval never lies wholly below it
                    assertThat(upper).as("upper bound of %s", p).isGreaterThanOrEqualTo(0.9);
                    assertThat(1.0).as("%s delay inside the interval", p).isBetween(lower - 0.1, upper + 0.1);
                }
                // where the lab's delay is not exact (MariaDB's MASTER_DELAY counts from the event's whole second,
                // so a row shows 0 to 1 s after it was written), the store's own IT judges it against an observer
            });
            assertThat(run.allBelow(run.others(), 0.5)).as("no other pair is delayed").isTrue();
        } finally {
            run.lab.change(run.store, p.source(), p.target(), LinkChange.delay(0, 0));
        }
        Await.until(Duration.ofSeconds(30), "back under 0.5 s", () -> run.lag(p) < 0.5);
    }

    static void pause(Run run) throws Exception {
        run.healthy();
        ReplicationPair p = run.measured();
        double missedBefore = run.count("replag.canaries.missed");
        long pausedAt = System.nanoTime();
        run.lab.change(run.store, p.source(), p.target(), new LinkChange(Optional.empty(), Optional.of(true)));
        double[] worstOther = {0};
        Await.until(Duration.ofSeconds(20), p + " above 5 s", () -> {
            run.others().forEach(o -> worstOther[0] = Math.max(worstOther[0], run.lag(o)));
            return run.lag(p) > 5;
        });
        double pausedFor = (System.nanoTime() - pausedAt) / 1e9;
        double lagAtResume = run.lag(p);
        run.lab.change(run.store, p.source(), p.target(), new LinkChange(Optional.empty(), Optional.of(false)));
        // the oldest unseen canary was written at most one interval (plus jitter) after the pause began
        assertThat(lagAtResume).isGreaterThanOrEqualTo(pausedFor - 1.1 - 0.1);
        assertThat(worstOther[0]).as("the other pairs are unaffected").isLessThan(0.5);
        Await.until(Duration.ofSeconds(20), p + " back under 0.5 s after resume", () -> run.lag(p) < 0.5);
        assertThat(run.count("replag.canaries.missed")).as("a 5 s pause is within the deadline").isEqualTo(missedBefore);
    }

    static void stoppedRegion(Run run) throws Exception {
        run.healthy();
        ReplicationPair p = run.measured();
        String dead = p.target();
        List<ReplicationPair> unaffected = run.notTouching(dead);
        double readErrorsBefore = run.count("replag.errors", "region", dead, "op", "read");
        run.labStore.stopRegion(dead);
        try {
            Await.until(Duration.ofSeconds(20), dead + " down with read errors",
                    () -> run.up(dead) == 0 && run.count("replag.errors", "region", dead, "op", "read") > readErrorsBefore);
            List<Long> before = unaffected.stream().map(run::lastSeq).toList();
            Await.until(Duration.ofSeconds(15), "the pairs that do not touch " + dead + " keep arriving", () -> {
                for (int i = 0; i < unaffected.size(); i++) {
                    if (run.lastSeq(unaffected.get(i)) < before.get(i) + 3) {
                        return false;
                    }
                }
                return true;
            });
            assertThat(run.allBelow(unaffected, 0.5)).isTrue();
            assertThat(run.up(p.source())).as("the source stays up").isEqualTo(1);
        } finally {
            run.labStore.startRegion(dead);
        }
        Await.until(Duration.ofSeconds(30), dead + " recovers", () -> run.up(dead) == 1 && run.allBelow(run.set.pairs(), 0.5));
    }

    static void restart(Run run) throws Exception {
        run.healthy();
        ReplicationPair p = run.measured();
        long lastBefore = run.lastSeq(p);
        run.runtime.stop().get(15, TimeUnit.SECONDS);
        run.arrivals.clear();
        run.startRuntime();
        Await.until(Duration.ofSeconds(30), "5 arrivals on " + p + " after the restart",
                () -> run.arrivals.stream().filter(s -> s.pair.equals(p)).count() >= 5);
        long firstAfter = run.arrivals.stream().filter(s -> s.pair.equals(p)).mapToLong(s -> s.arrival.seq()).min().orElseThrow();
        assertThat(firstAfter).as("seq continues above the last one written before the restart").isGreaterThan(lastBefore);
        assertThat(firstAfter).as("no gap: the first canary after the restart is the next seq").isLessThanOrEqualTo(lastBefore + 2);
        assertThat(run.arrivals.stream().filter(s -> s.pair.equals(p)).toList())
                .allSatisfy(s -> assertThat(s.arrival.latencyMicros()).as("no lag spike").isLessThan(500_000));
        assertThat(run.count("replag.canaries.missed")).isZero();
        assertThat(run.count("replag.errors", "op", "write")).as("no write refused (stale_seq or other)").isZero();
    }
}
