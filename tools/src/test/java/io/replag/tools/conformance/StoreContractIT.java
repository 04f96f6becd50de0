package io.replag.tools.conformance;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replag.agent.Stores;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.engine.FailureReason;
import io.replag.agent.engine.SetProbe;
import io.replag.agent.metrics.ReplagMetrics;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.Reason;
import io.replag.agent.spi.Sighting;
import io.replag.agent.spi.StaleSeqException;
import io.replag.agent.spi.StoreProvider;
import io.replag.agent.time.VertxEventLoop;
import io.replag.agent.time.WallClock;
import io.replag.exporter.Await;
import io.replag.lab.LabRegions;
import io.replag.lab.LabStore;
import io.replag.lab.LabStoreProvider;
import io.replag.lab.LabStores;
import io.replag.lab.LabUnavailable;
import io.replag.lab.distance.Geography;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every store keeps, run against its own lab: every store found on the class path
 * ({@link Stores}) with a lab ({@link LabStores}) runs it, so a new store is held to it without a
 * line here. What the engine relies on:
 * <ul>
 *   <li>a canary's seq never goes backwards in its source, or the store says it cannot promise it;</li>
 *   <li>a record never written reads as empty (not as an error);</li>
 *   <li>a write into a missing table or bucket names a reason that makes the writer prepare again;</li>
 *   <li>refused connections, unknown hosts and refused credentials have their documented reasons, with no secret in them;</li>
 *   <li>a native figure whose read fails is cleared, never left standing.</li>
 * </ul>
 */
class StoreContractIT {
    private static final LabRegions REGIONS = LabRegions.DEMO;
    private static final ProbeTiming TIMING = ProbeTiming.builder().interval(Duration.ofSeconds(1)).jitter(0)
            .requestTimeout(Duration.ofSeconds(5)).nativeInterval(Duration.ofSeconds(1)).build();

    private static Vertx vertx;
    private static final Map<String, Started> STARTED = new LinkedHashMap<>();
    private static final Map<String, String> UNAVAILABLE = new LinkedHashMap<>();
    private static final List<CanaryStore> CLIENTS = new ArrayList<>();

    /** One store's lab and the demo set that probes it. */
    record Started(StoreProvider<?> store, LabStoreProvider labProvider, LabStore lab, ReplicationSet set) {
        String source() {
            return set.sourceRegions().get(0);
        }

        String target() {
            return set.pairs().get(0).target();
        }
    }

    static List<String> stores() {
        List<String> keys = LabStores.all().stream().map(LabStoreProvider::store).toList();
        assertThat(keys).as("every store has a lab, and every lab a store").containsExactlyInAnyOrderElementsOf(Stores.keys());
        return keys;
    }

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopAll() throws Exception {
        for (CanaryStore client : CLIENTS) {
            client.close();
        }
        STARTED.values().forEach(s -> s.lab().close());
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The store's lab, started on first use and kept for the class; aborts (saying why) where it cannot run here. */
    private static Started started(String key) throws Exception {
        if (UNAVAILABLE.containsKey(key)) {
            Assumptions.abort(UNAVAILABLE.get(key));
        }
        Started s = STARTED.get(key);
        if (s == null) {
            LabStoreProvider labProvider = LabStores.byStore(key).orElseThrow();
            LabStore lab;
            try {
                lab = labProvider.start(REGIONS, Geography.NONE);
            } catch (LabUnavailable e) {
                String why = "skipped for " + key + ": its lab cannot run here: " + e.getMessage();
                System.out.println("StoreContractIT " + why);
                UNAVAILABLE.put(key, why);
                Assumptions.abort(why);
                throw e;
            }
            Map<String, Endpoint> endpoints = new LinkedHashMap<>();
            lab.ports().forEach((region, port) -> endpoints.put(region, new Endpoint("127.0.0.1", port)));
            ReplicationSet demo = labProvider.demoSet(lab, REGIONS, endpoints, TIMING);
            s = new Started(Stores.byKey(key).orElseThrow(), labProvider, lab, demo);
            STARTED.put(key, s);
        }
        return s;
    }

    private static CanaryStore client(Started s, ReplicationSet set) {
        CanaryStore client = s.store().create(vertx, set);
        CLIENTS.add(client);
        return client;
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static Throwable failure(Future<?> f) {
        try {
            get(f);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the call did not fail within 20 s: " + e, e);
        }
        throw new AssertionError("the call succeeded; it should have failed");
    }

    private static long nowMicros() {
        return WallClock.system().nowMicros();
    }

    private static CanaryKey freshKey(String what, String source) {
        return new CanaryKey("contract-" + what + "-" + UUID.randomUUID().toString().substring(0, 8), source);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void seqNeverGoesBackwardsOrTheStoreSaysItCannotPromiseIt(String key) throws Exception {
        Started s = started(key);
        CanaryStore store = client(s, s.set());
        String source = s.source();
        CanaryKey canary = freshKey("seq", source);
        get(store.prepareWriter(source));
        get(store.write(source, new Canary(canary, 10, nowMicros())));
        if (s.store().seqNeverGoesBack()) {
            assertThat(failure(store.write(source, new Canary(canary, 7, nowMicros())))).as("an older seq").isInstanceOf(StaleSeqException.class);
            assertThat(failure(store.write(source, new Canary(canary, 10, nowMicros())))).as("an equal seq is not newer")
                    .isInstanceOf(StaleSeqException.class);
            assertThat(get(store.read(source, canary)).seq()).as("the record keeps the higher seq").isEqualTo(10);
            get(store.write(source, new Canary(canary, 11, nowMicros())));
            assertThat(get(store.read(source, canary)).seq()).isEqualTo(11);
        } else {
            // the declaration must be true: here an older write does replace a newer one
            get(store.write(source, new Canary(canary, 7, nowMicros())));
            assertThat(get(store.read(source, canary)).seq()).as(key + " says it cannot keep seq from going back").isEqualTo(7);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aRecordNeverWrittenReadsAsEmptyInEveryRegion(String key) throws Exception {
        Started s = started(key);
        CanaryStore store = client(s, s.set());
        CanaryKey never = freshKey("never-written", s.source());
        for (String region : s.set().endpoints().keySet()) {
            Sighting sighting = get(store.read(region, never));
            assertThat(sighting.canary()).as("in " + region).isEmpty();
            assertThat(sighting.seq()).as("in " + region).isLessThanOrEqualTo(0);
            if (store.serverClock()) {
                assertThat(sighting.at().known()).as("a server-clock store times every read, found or not (" + region + ")").isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aWriteIntoAMissingTableOrBucketAsksTheWriterToPrepareAgain(String key) throws Exception {
        Started s = started(key);
        CanaryStore store = client(s, s.labProvider().withMissingResource(s.set()));
        Throwable e = failure(store.write(s.source(), new Canary(freshKey("missing", s.source()), 1, nowMicros())));
        Optional<Reason> reason = store.errorReason(e);
        assertThat(reason).as("the store names it: " + FailureReason.detail(e)).isPresent();
        assertThat(reason.get().needsPrepare()).as("reason " + reason.get() + " makes the writer prepare").isTrue();
        assertThat(FailureReason.of(e, store)).isEqualTo(reason.get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void refusedConnectionsUnknownHostsAndRefusedCredentialsHaveTheirReasons(String key) throws Exception {
        Started s = started(key);
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        int port = closedPort;
        Map<String, Reason> expected = new LinkedHashMap<>();
        Map<String, ReplicationSet> sets = new LinkedHashMap<>();
        sets.put("nothing listening", withEndpoints(s.set(), r -> new Endpoint("127.0.0.1", port)));
        expected.put("nothing listening", Reason.CONNECTION_REFUSED);
        sets.put("unknown host", withEndpoints(s.set(), r -> new Endpoint("no-such-host.invalid", 5432)));
        expected.put("unknown host", Reason.UNKNOWN_HOST);
        Optional<ReplicationSet> wrongCredentials = s.labProvider().withWrongCredentials(s.set());
        if (wrongCredentials.isPresent()) {
            sets.put("wrong credentials", wrongCredentials.get());
            expected.put("wrong credentials", Reason.AUTH_FAILED);
        } else {
            System.out.println("StoreContractIT " + key + ": wrong credentials not checked: its lab's server accepts any");
        }
        for (var e : sets.entrySet()) {
            CanaryStore store = client(s, e.getValue());
            Throwable failure = failure(store.read(s.target(), freshKey("reasons", s.source())));
            assertThat(FailureReason.of(failure, store)).as(e.getKey() + ": " + FailureReason.detail(failure)).isEqualTo(expected.get(e.getKey()));
            assertThat(failure.toString() + FailureReason.detail(failure)).as("no secret in what is logged").doesNotContain("not-the-");
        }
    }

    private static ReplicationSet withEndpoints(ReplicationSet set, Function<String, Endpoint> endpoint) {
        Map<String, Endpoint> endpoints = new LinkedHashMap<>();
        set.endpoints().keySet().forEach(r -> endpoints.put(r, endpoint.apply(r)));
        return new ReplicationSet(set.name(), set.store(), endpoints, set.pairs(), set.timing(), set.options());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aNativeFigureWhoseReadFailsIsClearedNotLeftStanding(String key) throws Exception {
        Started s = started(key);
        FlakyNative store = new FlakyNative(client(s, s.set()));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SetProbe probe = new SetProbe(s.set(), store, VertxEventLoop.create(vertx), WallClock.system(), new ReplagMetrics(registry), "contract");
        probe.start();
        try {
            Await.until(Duration.ofSeconds(90), key + " exports a native figure in its lab",
                    () -> nativeFigures(registry).stream().anyMatch(v -> !Double.isNaN(v)));
            store.failing = true;
            Await.until(Duration.ofSeconds(30), key + "'s native figures cleared after a failed read",
                    () -> nativeFigures(registry).stream().allMatch(v -> Double.isNaN(v)));
            store.failing = false;
            Await.until(Duration.ofSeconds(90), key + "'s native figure back after the reads work again",
                    () -> nativeFigures(registry).stream().anyMatch(v -> !Double.isNaN(v)));
        } finally {
            get(probe.stop());
        }
    }

    private static List<Double> nativeFigures(SimpleMeterRegistry registry) {
        return registry.find("replag.native.lag.seconds").gauges().stream().map(Gauge::value).toList();
    }

    /** The store, with native reads that fail on demand. */
    static final class FlakyNative implements CanaryStore {
        private final CanaryStore store;
        volatile boolean failing;

        FlakyNative(CanaryStore store) {
            this.store = store;
        }

        @Override
        public Future<List<io.replag.agent.spi.NativeLag>> readNativeLag(String sourceRegion, String targetRegion) {
            return failing ? Future.failedFuture(new IllegalStateException("native read failing on purpose")) : store.readNativeLag(sourceRegion, targetRegion);
        }

        @Override
        public Future<Void> prepareWriter(String region) {
            return store.prepareWriter(region);
        }

        @Override
        public Future<io.replag.agent.spi.ServerTime> write(String region, Canary canary) {
            return store.write(region, canary);
        }

        @Override
        public Future<Sighting> read(String region, CanaryKey key) {
            return store.read(region, key);
        }

        @Override
        public boolean serverClock() {
            return store.serverClock();
        }

        @Override
        public boolean reportsNativeOperations() {
            return store.reportsNativeOperations();
        }

        @Override
        public Future<Map<String, Double>> readNativeOperations(String sourceRegion, String targetRegion) {
            return store.readNativeOperations(sourceRegion, targetRegion);
        }

        @Override
        public boolean reportsReplicationStatus() {
            return store.reportsReplicationStatus();
        }

        @Override
        public List<String> replicationStatuses() {
            return store.replicationStatuses();
        }

        @Override
        public Future<Optional<String>> readReplicationStatus(String region, CanaryKey key) {
            return store.readReplicationStatus(region, key);
        }

        @Override
        public Optional<Reason> errorReason(Throwable failure) {
            return store.errorReason(failure);
        }

        @Override
        public Future<Void> close() {
            return store.close();
        }
    }
}
