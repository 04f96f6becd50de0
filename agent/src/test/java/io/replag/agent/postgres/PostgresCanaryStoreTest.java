package io.replag.agent.postgres;

import io.replag.agent.sql.SqlOptions;

import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.ServerTime;
import io.replag.agent.spi.Sighting;
import io.replag.agent.spi.StaleSeqException;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The store's own I/O against a real PostgreSQL server (one region is enough here; replication is tested on the lab). */
@ExtendWith(VertxExtension.class)
class PostgresCanaryStoreTest {
    static EmbeddedPostgres server;
    PostgresCanaryStore store;
    String table;
    static int tableNo;

    @BeforeAll
    static void startServer() throws Exception {
        server = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void createStore(Vertx vertx) {
        table = "canary_" + (++tableNo);
        store = new PostgresCanaryStore(vertx, set(SqlOptions.builder().database("postgres").user("postgres").table(table).build(), server.getPort()));
    }

    @AfterEach
    void closeStore(VertxTestContext ctx) {
        store.close().onComplete(ctx.succeedingThenComplete());
    }

    static ReplicationSet set(SqlOptions options, int port) {
        return new ReplicationSet("t", "postgres", Map.of("us-east-1", new Endpoint("127.0.0.1", port)),
                ReplicationSet.singleWriter("us-east-1", List.of()), ProbeTiming.DEFAULT, options);
    }

    static final CanaryKey KEY = new CanaryKey("agent-1", "us-east-1");

    @Test
    void writesOverwriteOneRowAndReadBackTheLatest(VertxTestContext ctx) {
        store.prepareWriter("us-east-1")
                .compose(v -> store.prepareWriter("us-east-1")) // idempotent
                .compose(v -> store.read("us-east-1", KEY))
                .compose(empty -> {
                    ctx.verify(() -> assertThat(empty.canary()).isEmpty());
                    return store.write("us-east-1", new Canary(KEY, 1, 111));
                })
                .compose(v -> store.write("us-east-1", new Canary(KEY, 2, 222)))
                .compose(v -> store.read("us-east-1", KEY))
                .onComplete(ctx.succeeding(read -> ctx.verify(() -> {
                    Canary stored = read.canary().orElseThrow();
                    assertThat(stored.seq()).isEqualTo(2);
                    // with server clocks, the server stamps the write itself (no later than its commit), not replag's 222
                    assertThat(stored.writtenAtMicros()).isCloseTo(nowMicros(), org.assertj.core.data.Offset.offset(60_000_000L));
                    assertThat(stored.clockErrorMicros()).isEqualTo(SqlOptions.DEFAULT_SERVER_CLOCK_ERROR.toNanos() / 1000);
                    try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                         var rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                        rs.next();
                        assertThat(rs.getInt(1)).as("one row per agent and source").isEqualTo(1);
                    }
                    ctx.completeNow();
                })));
    }

    @Test
    void aLowerOrEqualSeqNeverOverwrites(VertxTestContext ctx) {
        store.prepareWriter("us-east-1")
                .compose(v -> store.write("us-east-1", new Canary(KEY, 5, 500)))
                .compose(v -> store.write("us-east-1", new Canary(KEY, 4, 400)))
                .onComplete(ctx.failing(e -> ctx.verify(() -> {
                    assertThat(e).isInstanceOf(StaleSeqException.class);
                    store.read("us-east-1", KEY).onComplete(ctx.succeeding(read -> ctx.verify(() -> {
                        assertThat(read.canary().map(Canary::seq)).contains(5L);
                        ctx.completeNow();
                    })));
                })));
    }

    @Test
    void writesAndReadsAnswerWithTheServersClockAroundThem(VertxTestContext ctx) {
        long before = nowMicros();
        store.prepareWriter("us-east-1")
                .compose(v -> store.write("us-east-1", new Canary(KEY, 1, before)))
                .compose(writeAt -> store.read("us-east-1", KEY).map(read -> new Object[] {writeAt, read}))
                .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
                    long after = nowMicros();
                    ServerTime writeAt = (ServerTime) both[0];
                    Sighting read = (Sighting) both[1];
                    long bound = SqlOptions.DEFAULT_SERVER_CLOCK_ERROR.toNanos() / 1000;
                    // the server runs on this machine's clock: its readings lie within replag's send and answer
                    assertThat(writeAt.known()).isTrue();
                    assertThat(writeAt.earliestMicros() + bound).isBetween(before, after);
                    assertThat(writeAt.latestMicros() - bound).isBetween(writeAt.earliestMicros() + bound, after);
                    assertThat(read.canary().map(Canary::seq)).contains(1L);
                    assertThat(read.at().earliestMicros() + bound).as("the read's snapshot came after the write's commit")
                            .isGreaterThanOrEqualTo(writeAt.latestMicros() - bound);
                    assertThat(read.at().latestMicros() - bound).isBetween(read.at().earliestMicros() + bound, after);
                    ctx.completeNow();
                })));
    }

    @Test
    void aReadOfAnAbsentCanaryStillSaysWhenItLooked(VertxTestContext ctx) {
        store.prepareWriter("us-east-1").compose(v -> store.read("us-east-1", new CanaryKey("nobody", "us-east-1")))
                .onComplete(ctx.succeeding(read -> ctx.verify(() -> {
                    assertThat(read.canary()).isEmpty();
                    assertThat(read.at().known()).isTrue();
                    ctx.completeNow();
                })));
    }

    @Test
    void aCanaryBoundsItsPredecessorsCommitInARowBesideIt(VertxTestContext ctx) {
        store.prepareWriter("us-east-1")
                .compose(v -> store.write("us-east-1", new Canary(KEY, 1, 1)))
                .compose(first -> store.write("us-east-1", new Canary(KEY, 2, 2, 0, "replag@us-east-1", 1, first.latestMicros()))
                        .compose(second -> store.read("us-east-1", KEY)).map(read -> {
                            ctx.verify(() -> {
                                Canary c = read.canary().orElseThrow();
                                assertThat(c.seq()).isEqualTo(2);
                                assertThat(c.boundsPrevious()).isTrue();
                                assertThat(c.prevSeq()).isEqualTo(1);
                                assertThat(c.prevCommittedMicros()).isEqualTo(first.latestMicros());
                                assertThat(c.writtenAtMicros()).as("the second write is no earlier than the first's commit")
                                        .isGreaterThanOrEqualTo(first.earliestMicros());
                            });
                            return read;
                        }))
                .onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void clientClockModeAnswersWithoutServerTimes(Vertx vertx, VertxTestContext ctx) {
        PostgresCanaryStore client = new PostgresCanaryStore(vertx,
                set(SqlOptions.builder().database("postgres").user("postgres").table(table).serverClock(false).build(), server.getPort()));
        client.prepareWriter("us-east-1")
                .compose(v -> client.write("us-east-1", new Canary(KEY, 7, 7)))
                .compose(writeAt -> client.read("us-east-1", KEY).map(read -> {
                    ctx.verify(() -> {
                        assertThat(writeAt.known()).isFalse();
                        assertThat(read.at().known()).isFalse();
                        assertThat(read.canary()).as("replag's own time, with replag's clock").contains(new Canary(KEY, 7, 7));
                    });
                    return read;
                }))
                .compose(v -> client.close())
                .onComplete(ctx.succeedingThenComplete());
    }

    private static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    @Test
    void missingTableIsNamedAsSuch(Vertx vertx, VertxTestContext ctx) {
        PostgresCanaryStore noCreate = new PostgresCanaryStore(vertx,
                set(SqlOptions.builder().database("postgres").user("postgres").table("absent_table").createTable(false).build(), server.getPort()));
        noCreate.prepareWriter("us-east-1")
                .compose(v -> noCreate.write("us-east-1", new Canary(KEY, 1, 1)))
                .onComplete(ctx.failing(e -> ctx.verify(() -> {
                    assertThat(noCreate.errorReason(e).map(io.replag.agent.spi.Reason::label)).contains("table_missing");
                    noCreate.close().onComplete(ctx.succeedingThenComplete());
                })));
    }

    @Test
    void wrongDatabaseAndRefusedConnectionAreClassified(Vertx vertx, VertxTestContext ctx) {
        PostgresCanaryStore wrongDb = new PostgresCanaryStore(vertx,
                set(SqlOptions.builder().database("no_such_db").user("postgres").build(), server.getPort()));
        wrongDb.read("us-east-1", KEY).onComplete(ctx.failing(e -> ctx.verify(() -> {
            assertThat(wrongDb.errorReason(e).map(io.replag.agent.spi.Reason::label)).contains("database_missing");
            wrongDb.close().onComplete(ctx.succeedingThenComplete());
        })));
    }

    @Test
    void unresolvableHostIsNamedAsSuch(Vertx vertx, VertxTestContext ctx) {
        PostgresCanaryStore nowhere = new PostgresCanaryStore(vertx, new ReplicationSet("t", "postgres",
                Map.of("us-east-1", new Endpoint("no-such-host.invalid", 5432)),
                ReplicationSet.singleWriter("us-east-1", List.of()), ProbeTiming.DEFAULT, SqlOptions.builder().database("postgres").user("postgres").build()));
        nowhere.read("us-east-1", KEY).onComplete(ctx.failing(e -> ctx.verify(() -> {
            assertThat(io.replag.agent.engine.FailureReason.of(e, nowhere).label()).isEqualTo("unknown_host");
            nowhere.close().onComplete(ctx.succeedingThenComplete());
        })));
    }

    @Test
    void nativeFigureIsEmptyOnAPrimary(VertxTestContext ctx) {
        store.readNativeLag("us-east-1", "us-east-1").onComplete(ctx.succeeding(figure -> ctx.verify(() -> {
            assertThat(figure).as("not in recovery: no replay lag to report").isEmpty();
            ctx.completeNow();
        })));
    }
}
