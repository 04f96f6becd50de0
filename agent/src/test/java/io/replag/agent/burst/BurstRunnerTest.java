package io.replag.agent.burst;

import io.replag.agent.spi.BurstRecords;
import io.replag.agent.spi.BurstRun;
import io.replag.agent.time.VirtualTime;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The burst runner on virtual time against a store whose replication this test controls exactly. */
class BurstRunnerTest {
    static final String US = "us-east-1", EU = "eu-west-1", AP = "ap-southeast-2";

    /** Each record becomes visible in a target its delay after the write commits, unless that target drops it. */
    static final class ReplicatingStore implements BurstRecords {
        final VirtualTime time;
        final long callMicros;
        final Map<String, Long> delayMicros = new HashMap<>();
        final Map<String, LongPredicate> dropped = new HashMap<>();
        final Map<String, Boolean> unreadable = new HashMap<>();
        final Map<Long, Long> committedAt = new HashMap<>();
        /** Refuse the last record of every n-th write call once (DynamoDB's unprocessed items). */
        int throttleEvery;
        int writeCalls;
        String cleanedUp;

        ReplicatingStore(VirtualTime time, long callMicros) {
            this.time = time;
            this.callMicros = callMicros;
        }

        @Override
        public int writeBatch() {
            return 25;
        }

        @Override
        public int readBatch() {
            return 100;
        }

        @Override
        public Future<List<Long>> write(String region, BurstRun run, List<Long> indexes, long writtenAtMicros) {
            Promise<List<Long>> p = Promise.promise();
            boolean throttle = throttleEvery > 0 && ++writeCalls % throttleEvery == 0;
            time.schedule(callMicros, () -> {
                List<Long> refused = throttle ? List.of(indexes.get(indexes.size() - 1)) : List.of();
                indexes.stream().filter(i -> !refused.contains(i)).forEach(i -> committedAt.putIfAbsent(i, time.nowMicros() - callMicros / 2));
                p.complete(refused);
            });
            return p.future();
        }

        @Override
        public Future<Read> read(String region, BurstRun run, List<Long> indexes) {
            Promise<Read> p = Promise.promise();
            time.schedule(callMicros, () -> {
                if (unreadable.getOrDefault(region, false)) {
                    p.fail(new IllegalStateException("region down"));
                    return;
                }
                long snapshot = time.nowMicros() - callMicros / 2;
                List<Long> visible = new ArrayList<>();
                for (long i : indexes) {
                    Long c = committedAt.get(i);
                    if (c != null && c + delayMicros.get(region) <= snapshot && !dropped.getOrDefault(region, x -> false).test(i)) {
                        visible.add(i);
                    }
                }
                p.complete(Read.of(visible));
            });
            return p.future();
        }

        @Override
        public Future<String> cleanup(String region, BurstRun run, long records) {
            cleanedUp = region;
            return Future.succeededFuture("deleted " + records);
        }

        @Override
        public String costEstimate(long records, int targets, double readsPerRecord) {
            return "free";
        }
    }

    static BurstPlan plan(long records, double rate, Duration poll) {
        return new BurstPlan("orders", "test", US, List.of(EU, AP), records, rate, Duration.ofMillis(500), poll, Duration.ofSeconds(5),
                new BurstRun("replag", "t1"));
    }

    static BurstReport run(ReplicatingStore store, BurstPlan plan) {
        VirtualTime time = store.time;
        var report = new BurstRunner(time, time, store, plan, null).run();
        for (int i = 0; i < 10_000 && !report.isComplete(); i++) {
            time.advance(Duration.ofMillis(10));
        }
        assertThat(report.succeeded()).as("the burst ended").isTrue();
        return report.result();
    }

    static BurstReport.Target target(BurstReport r, String region) {
        return r.targets().stream().filter(t -> t.region().equals(region)).findFirst().orElseThrow();
    }

    @Test
    void everyRecordFasterThanReadAfterIsVisibleThenAndItsLatencyIsWithinHalfThePollPeriod() {
        ReplicatingStore store = new ReplicatingStore(new VirtualTime(1_000_000_000L), 2_000);
        store.delayMicros.put(EU, 300_000L);
        store.delayMicros.put(AP, 120_000L);
        BurstReport r = run(store, plan(2_000, 1_000, Duration.ofMillis(100)));
        assertThat(r.written()).isEqualTo(2_000);
        assertThat(r.achievedRate()).isBetween(950.0, 1_050.0);
        for (var t : r.targets()) {
            assertThat(t.expected()).isEqualTo(2_000);
            assertThat(t.visibleShare()).as(t.region()).isEqualTo(1.0);
            assertThat(t.lost()).isZero();
            assertThat(t.arrived()).isEqualTo(2_000);
        }
        // the store's delay is exact: the median midpoint lies within half the 100 ms poll of it
        assertThat(target(r, EU).latencyP50()).isBetween(0.25, 0.35);
        assertThat(target(r, AP).latencyP50()).isBetween(0.07, 0.17);
        assertThat(target(r, EU).latencyMax()).isLessThanOrEqualTo(0.41);
        assertThat(store.cleanedUp).isEqualTo(US);
        assertThat(r.cleanup()).isEqualTo("deleted 2000");
    }

    @Test
    void recordsSlowerThanReadAfterAreNotVisibleThenButArriveBeforeTheDeadline() {
        ReplicatingStore store = new ReplicatingStore(new VirtualTime(1_000_000_000L), 2_000);
        store.delayMicros.put(EU, 800_000L);
        store.delayMicros.put(AP, 100_000L);
        BurstReport r = run(store, plan(500, 500, Duration.ZERO));
        assertThat(target(r, EU).visibleShare()).isZero();
        assertThat(target(r, EU).lost()).isZero();
        assertThat(target(r, EU).latencyBound()).isEqualTo("at most");
        // without polling: re-reads 100, 200, then 400 ms after read-after; the one at ~900 ms is the first after the delay
        assertThat(target(r, EU).latencyP50()).isBetween(0.8, 0.95); // reads go out on the runner's 5 ms tick, a little after their time
        assertThat(target(r, AP).visibleShare()).isEqualTo(1.0);
        assertThat(target(r, AP).reads()).as("one read per record without polling").isEqualTo(500);
    }

    @Test
    void theLostCountIsExactlyTheRecordsTheTargetNeverGot() {
        ReplicatingStore store = new ReplicatingStore(new VirtualTime(1_000_000_000L), 2_000);
        store.delayMicros.put(EU, 200_000L);
        store.delayMicros.put(AP, 200_000L);
        store.dropped.put(EU, i -> i >= 300 && i < 537);
        BurstReport r = run(store, plan(1_000, 1_000, Duration.ofMillis(100)));
        assertThat(target(r, EU).lost()).isEqualTo(237);
        assertThat(target(r, EU).arrived()).isEqualTo(763);
        assertThat(target(r, EU).visibleShare()).isEqualTo(0.763);
        assertThat(target(r, AP).lost()).isZero();
    }

    @Test
    void throttledWritesAreWrittenAgainAndCounted() {
        ReplicatingStore store = new ReplicatingStore(new VirtualTime(1_000_000_000L), 2_000);
        store.delayMicros.put(EU, 50_000L);
        store.delayMicros.put(AP, 50_000L);
        store.throttleEvery = 3;
        BurstReport r = run(store, plan(3_000, 3_000, Duration.ofMillis(100)));
        assertThat(r.throttled()).isPositive();
        assertThat(r.written()).isEqualTo(3_000);
        assertThat(store.committedAt).hasSize(3_000);
        r.targets().forEach(t -> assertThat(t.lost()).isZero());
    }

    @Test
    void aTargetThatCannotBeReadIsUnreadNeverLostAndTheOtherIsMeasured() {
        ReplicatingStore store = new ReplicatingStore(new VirtualTime(1_000_000_000L), 2_000);
        store.delayMicros.put(EU, 100_000L);
        store.delayMicros.put(AP, 100_000L);
        store.unreadable.put(AP, true);
        BurstReport r = run(store, plan(200, 200, Duration.ofMillis(100)));
        assertThat(target(r, AP).unread()).isEqualTo(200);
        assertThat(target(r, AP).lost()).isZero();
        assertThat(target(r, AP).readErrors()).isPositive();
        assertThat(target(r, EU).arrived()).isEqualTo(200);
        assertThat(r.format()).contains("ap-southeast-2").contains("unread");
    }

    @Test
    void aPlanNamesTheFlagItRefuses() {
        assertThatThrownBy(() -> plan(0, 1, Duration.ZERO)).hasMessage("--records: must be 1 to 10000000, found 0");
        assertThatThrownBy(() -> new BurstPlan("s", "x", US, List.of(EU), 10, 10, Duration.ofSeconds(2), Duration.ZERO, Duration.ofSeconds(1),
                new BurstRun("a", "b"))).hasMessage("--deadline: must be longer than --read-after (2000ms), found 1000ms");
        assertThatThrownBy(() -> new BurstPlan("s", "x", US, List.of(EU), 10, 10, Duration.ofSeconds(1), Duration.ofMillis(5), Duration.ofSeconds(2),
                new BurstRun("a", "b"))).hasMessage("--poll: must be 0 (off) or at least 10ms, found 5ms");
        assertThatThrownBy(() -> new BurstRun("a", "no spaces")).hasMessageContaining("found \"no spaces\"");
    }

    @Test
    void quantilesAreNearestRank() {
        long[] sorted = {100_000, 200_000, 300_000, 400_000};
        assertThat(BurstRunner.quantile(sorted, 0.5)).isEqualTo(0.2);
        assertThat(BurstRunner.quantile(sorted, 0.99)).isEqualTo(0.4);
        assertThat(BurstRunner.quantile(new long[0], 0.5)).isNaN();
    }
}
