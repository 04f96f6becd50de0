package io.replag.tools;

import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.Await;
import io.replag.tools.lab.LabControl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.search.Search;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.config.Secret;
import io.replag.agent.engine.Arrival;
import io.replag.agent.mysql.MySqlCanaryStore;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.StaleSeqException;
import io.replag.agent.sql.SqlOptions;
import io.replag.tools.demo.Demo;
import io.replag.exporter.config.ReplagConfig;
import io.replag.lab.Lab;
import io.replag.lab.LinkChange;
import io.replag.lab.mysql.MariaDbLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MySQL protocol on the lab: a MariaDB primary in us-east-1 with binlog replicas in eu-west-1 and
 * ap-southeast-2, probed as in the demo; delays are the replicas' MASTER_DELAY, pauses stop their
 * SQL threads.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class MySqlLabIT {
    static final String US = "us-east-1", EU = "eu-west-1", AP = "ap-southeast-2";

    static Lab lab;
    static MariaDbLab mysql;
    static ReplagRuntime runtime;
    static int port;
    /** Native figures every second, so that tests need not wait 15 s for them. */
    static final ProbeTiming TIMING = ProbeTiming.builder().nativeInterval(Duration.ofSeconds(1)).build();

    record Seen(String target, Arrival arrival) {
    }

    static final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        try {
            mysql = MariaDbLab.start(Demo.PRIMARY, Demo.REPLICAS);
        } catch (MariaDbLab.Unavailable e) {
            System.out.println("SKIPPED MySqlLabIT: " + e.getMessage());
            Assumptions.abort(e.getMessage());
        }
        lab = new Lab(List.of(mysql));
        ReplagConfig config = Demo.config(lab, "127.0.0.1", 0, TIMING);
        runtime = new ReplagRuntime(config, LabControl.of(lab), (set, pair, a) -> seen.add(new Seen(pair.target(), a)));
        port = runtime.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        Fixtures.stop(runtime, lab);
    }

    @AfterEach
    void heal() throws Exception {
        for (String region : Demo.REGIONS) {
            mysql.startRegion(region);
        }
        for (String target : Demo.REPLICAS) {
            mysql.change(US, target, new LinkChange(Optional.of(0L), Optional.of(false)));
        }
    }

    static Search meter(String name, String... tags) {
        return runtime.registry().find(name).tag("store", "mysql").tags(tags);
    }

    static double lag(String target) {
        return meter("replag.lag.seconds", "target_region", target).gauge().value();
    }

    static double nativeLag(String target) {
        return meter("replag.native.lag.seconds", "target_region", target, "source_metric", "Seconds_Behind_Source").gauge().value();
    }

    static double stopped(String target) {
        var g = meter("replag.native.replication.stopped", "target_region", target).gauge();
        return g == null ? Double.NaN : g.value();
    }

    static double up(String region) {
        return meter("replag.up", "region", region).gauge().value();
    }

    static double errors(String region) {
        return meter("replag.errors", "region", region).counters().stream().mapToDouble(Counter::count).sum();
    }

    static long lastSeq(String target) {
        return seen.stream().filter(s -> s.target.equals(target)).mapToLong(s -> s.arrival.seq()).max().orElse(0);
    }

    @Test
    void a_bothReplicasAreMeasuredWithTheReplicasOwnFigure() {
        Await.until(Duration.ofSeconds(20), "arrivals in both replicas", () -> lastSeq(EU) > 1 && lastSeq(AP) > 1);
        assertThat(lag(EU)).isLessThan(0.5);
        assertThat(lag(AP)).isLessThan(0.5);
        Await.until(Duration.ofSeconds(10), "native figures", () -> nativeLag(EU) == 0 && stopped(EU) == 0 && stopped(AP) == 0);
        assertThat(runtime.registry().find("replag.lag.seconds").tag("store", "mysql").gauges())
                .as("single writer: primary to each replica only").hasSize(2);
    }

    /**
     * An observer independent of replag: polls the replica every 2 ms over JDBC and notes when
     * each seq first shows. MASTER_DELAY is not exact (MariaDB counts it from the event's
     * whole-second timestamp: 0.14 to 1.15 s for 1 s here), so the truth
     * each measurement is checked against is when the row became visible, not the configured delay.
     */
    static final class Observer implements AutoCloseable {
        final java.util.Map<Long, Long> firstSeenMicros = new java.util.concurrent.ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;
        private long maxSeen;

        Observer(String region) {
            thread = new Thread(() -> {
                maxSeen = lastSeq(region); // earlier canaries: seen before the observer started
                String url = "jdbc:mariadb://127.0.0.1:" + mysql.ports().get(region) + "/" + MariaDbLab.DATABASE;
                try (var c = java.sql.DriverManager.getConnection(url, MariaDbLab.USER, MariaDbLab.PASSWORD);
                     var q = c.prepareStatement("SELECT seq FROM replag_canary WHERE agent = ? AND source_region = ?")) {
                    q.setString(1, "replag-demo");
                    q.setString(2, US);
                    while (running) {
                        try (var rs = q.executeQuery()) {
                            long now = java.time.temporal.ChronoUnit.MICROS.between(java.time.Instant.EPOCH, java.time.Instant.now());
                            // seeing seq k shows every canary up to k, as for replag
                            for (long k = rs.next() ? rs.getLong(1) : 0; k > maxSeen; maxSeen++) {
                                firstSeenMicros.putIfAbsent(maxSeen + 1, now);
                            }
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // the observer's own poll period
                    }
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, "observer-" + region);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5000);
        }
    }

    @ParameterizedTest(name = "MASTER_DELAY {0} ms")
    @ValueSource(longs = {1000, 2000})
    void b_injectedDelayIsMeasuredWithinTheReportedUncertaintyPlus100ms(long delayMs) throws Exception {
        Await.until(Duration.ofSeconds(20), "healthy", () -> lag(EU) < 0.5 && lag(AP) < 0.5);
        try (Observer observer = new Observer(EU)) {
            mysql.change(US, EU, new LinkChange(Optional.of(delayMs), Optional.empty()));
            // only canaries written after the change: with whole-second MASTER_DELAY, two or three of
            // the previous delay can still be in flight, and one of those is not this delay's to judge
            long changedAtMicros = io.replag.agent.time.WallClock.system().nowMicros();
            java.util.function.Predicate<Seen> writtenAfterTheChange = s -> s.target.equals(EU)
                    && s.arrival.writtenAtMicros() > changedAtMicros + 100_000;
            Await.until(Duration.ofSeconds(30), "3 arrivals written after the change", () -> seen.stream().filter(writtenAfterTheChange).count() >= 3);
            seen.stream().filter(writtenAfterTheChange).limit(3).forEach(s -> {
                double latency = s.arrival.latencyMicros() / 1e6, uncertainty = s.arrival.uncertaintyMicros() / 1e6;
            double lower = s.arrival.lowerMicros() / 1e6, upper = s.arrival.upperMicros() / 1e6;
                // the write's send on replag's clock, the machine's one clock the observer reads too (seen-at less the
                // reported latency, the interval's middle, put it up to half an interval late: a 275 ms interval failed)
                long writtenAt = s.arrival.writtenAtMicros();
                Long observed = observer.firstSeenMicros.get(s.arrival.seq());
                assertThat(observed).as("the observer saw seq " + s.arrival.seq()).isNotNull();
                double truth = (observed - writtenAt) / 1e6;
                System.out.printf("mysql MASTER_DELAY %d ms: measured %.3f s, uncertainty %.3f s, visible after %.3f s%n",
                        delayMs, latency, uncertainty, truth);
                assertThat(truth).isBetween(lower - 0.1, upper + 0.1);
                // MASTER_DELAY counts from the binlog event's whole-second timestamp, taken when the
                // statement starts: a write acknowledged late in a second can show up to 1 s early,
                // and a few ms more by the time replag's own write time was taken (seen: 0.992 s at 2 s)
                assertThat(truth).as("the lab's delay itself").isBetween(delayMs / 1000.0 - 1.05, delayMs / 1000.0 + 0.5);
            });
        }
        assertThat(lag(AP)).as("the other replica is not delayed").isLessThan(0.5);
        Await.until(Duration.ofSeconds(10), "the replica's own figure shows the delay", () -> nativeLag(EU) >= delayMs / 1000.0 - 1);
    }

    @Test
    void c_stoppedReplicationGrowsOnlyThatPairAndIsStoppedNotZeroInTheNativeFigure() throws Exception {
        Await.until(Duration.ofSeconds(20), "healthy", () -> lag(EU) < 0.5 && lag(AP) < 0.5);
        mysql.change(US, AP, new LinkChange(Optional.empty(), Optional.of(true)));
        Await.until(Duration.ofSeconds(15), "ap-southeast-2 lag above 4 s", () -> lag(AP) > 4);
        assertThat(lag(EU)).isLessThan(0.5);
        Await.until(Duration.ofSeconds(5), "native figure: stopped", () -> stopped(AP) == 1);
        assertThat(nativeLag(AP)).as("NULL Seconds_Behind_Master is no lag figure, never 0").isNaN();
        var status = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/status.json")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(status.body()).as("the status page says stopped").contains("\"Seconds_Behind_Source\":\"stopped\"");
        assertThat(up(AP)).as("the replica answers: it is replication that stopped").isEqualTo(1);
        mysql.change(US, AP, new LinkChange(Optional.empty(), Optional.of(false)));
        Await.until(Duration.ofSeconds(10), "recovered", () -> lag(AP) < 0.5 && stopped(AP) == 0);
    }

    @Test
    void d_stoppedReplicaIsDownWithErrorsWhileTheOtherKeepsBeingMeasured() throws Exception {
        Await.until(Duration.ofSeconds(20), "healthy", () -> lag(EU) < 0.5 && up(EU) == 1);
        double before = errors(EU);
        mysql.stopRegion(EU);
        Await.until(Duration.ofSeconds(15), "eu-west-1 down", () -> up(EU) == 0 && errors(EU) > before);
        assertThat(meter("replag.errors", "region", EU, "op", "read", "reason", "connection_refused").counters()).isNotEmpty();
        long ap = lastSeq(AP);
        Await.until(Duration.ofSeconds(10), "ap-southeast-2 keeps arriving", () -> lastSeq(AP) >= ap + 3);
        assertThat(lag(AP)).isLessThan(0.5);
        mysql.startRegion(EU);
        Await.until(Duration.ofSeconds(30), "eu-west-1 recovers", () -> up(EU) == 1 && lag(EU) < 0.5);
    }

    static MySqlCanaryStore store(String password, String table, boolean createTable) {
        ReplicationSet demo = Demo.config(lab, "127.0.0.1", 0, TIMING).sets().get(0);
        SqlOptions options = SqlOptions.builder().database(MariaDbLab.DATABASE).user(MariaDbLab.USER)
                .password(Secret.of(password)).table(table).createTable(createTable).build();
        return new MySqlCanaryStore(runtime.vertx(), new ReplicationSet(demo.name(), demo.store(), demo.endpoints(), demo.pairs(),
                demo.timing(), options));
    }

    static <T> T get(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void e_anOlderCanaryNeverLowersTheStoredSeqAndErrorsHaveTheirReasons() throws Exception {
        MySqlCanaryStore store = store(MariaDbLab.PASSWORD, SqlOptions.DEFAULT_TABLE, true);
        MySqlCanaryStore wrongPassword = store("not-the-password", SqlOptions.DEFAULT_TABLE, true);
        MySqlCanaryStore noTable = store(MariaDbLab.PASSWORD, "no_such_table", false);
        CanaryKey key = new CanaryKey("conditional-test", US);
        try {
            get(store.prepareWriter(US));
            get(store.write(US, new Canary(key, 10, 1_000)));
            assertThatThrownBy(() -> get(store.write(US, new Canary(key, 7, 2_000))))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StaleSeqException.class);
            assertThatThrownBy(() -> get(store.write(US, new Canary(key, 10, 3_000))))
                    .as("equal seq is not newer").hasCauseInstanceOf(StaleSeqException.class);
            // the row is the first write's: seq 10, stamped by the server's clock then, not moved by the refused ones
            Canary stored = get(store.read(US, key)).canary().orElseThrow();
            assertThat(stored.seq()).isEqualTo(10);
            get(store.write(US, new Canary(key, 11, 4_000)));
            Canary next = get(store.read(US, key)).canary().orElseThrow();
            assertThat(next.seq()).isEqualTo(11);
            assertThat(next.writtenAtMicros()).isGreaterThanOrEqualTo(stored.writtenAtMicros());

            assertThatThrownBy(() -> get(wrongPassword.read(EU, key))).isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(wrongPassword.errorReason(e.getCause()).map(io.replag.agent.spi.Reason::label)).contains("auth_failed"))
                    .satisfies(e -> assertThat(e.getCause().toString()).doesNotContain("not-the-password"));
            assertThatThrownBy(() -> get(noTable.read(EU, key))).isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(noTable.errorReason(e.getCause()).map(io.replag.agent.spi.Reason::label)).contains("table_missing"));
        } finally {
            store.close();
            wrongPassword.close();
            noTable.close();
        }
    }
}
