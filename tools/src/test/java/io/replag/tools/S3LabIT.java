package io.replag.tools;

import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.Await;
import io.replag.tools.lab.LabControl;

import io.micrometer.core.instrument.Counter;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.engine.Arrival;
import io.replag.agent.s3.S3CanaryStore;
import io.replag.agent.s3.S3Options;
import io.replag.agent.spi.Canary;
import io.replag.agent.spi.CanaryKey;
import io.replag.tools.demo.Demo;
import io.replag.exporter.config.ReplagConfig;
import io.replag.lab.Fault;
import io.replag.lab.Lab;
import io.replag.lab.LinkChange;
import io.replag.lab.s3.S3Lab;
import org.jclouds.blobstore.domain.Blob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * S3 Cross-Region Replication on the lab: three s3proxy regions as in the demo, us-east-1 and
 * eu-west-1 replicating both ways, us-east-1 also one way to ap-southeast-2.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class S3LabIT {
    static final String US = "us-east-1", EU = "eu-west-1", AP = "ap-southeast-2";

    record Seen(String source, String target, Arrival arrival) {
    }

    static Lab lab;
    static S3Lab s3;
    static ReplagRuntime runtime;
    static int port;
    static final ConcurrentLinkedQueue<Seen> arrivals = new ConcurrentLinkedQueue<>();
    /** Native figures and the replication status every second, so that tests need not wait 15 s for them. */
    static final ProbeTiming TIMING = ProbeTiming.builder().nativeInterval(Duration.ofSeconds(1)).build();

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Lab.start(io.replag.lab.s3.S3LabProvider.buckets(Demo.LAB_REGIONS), io.replag.lab.s3.S3LabProvider.rules(Demo.LAB_REGIONS));
        lab = new Lab(List.of(s3));
        ReplagConfig config = Demo.config(lab, "127.0.0.1", 0, TIMING);
        runtime = new ReplagRuntime(config, LabControl.of(lab), (set, pair, a) -> arrivals.add(new Seen(pair.source(), pair.target(), a)));
        port = runtime.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    static io.vertx.core.json.JsonObject statusJson() {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/status.json")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return new io.vertx.core.json.JsonObject(response.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The status page's replication status of the region's endpoint in the S3 set. */
    static String statusPageReplication(String region) {
        for (Object set : statusJson().getJsonArray("sets")) {
            var s = (io.vertx.core.json.JsonObject) set;
            if (s.getString("store").equals("s3")) {
                for (Object e : s.getJsonArray("endpoints")) {
                    var endpoint = (io.vertx.core.json.JsonObject) e;
                    if (endpoint.getString("region").equals(region)) {
                        return endpoint.getString("replicationStatus");
                    }
                }
            }
        }
        return null;
    }

    @AfterAll
    static void stop() throws Exception {
        Fixtures.stop(runtime, lab);
    }

    @AfterEach
    void heal() throws Exception {
        for (String region : Demo.REGIONS) {
            s3.startRegion(region);
            s3.fault(region, Fault.NONE);
        }
        for (var link : s3.links()) {
            s3.change(link.source(), link.target(), new LinkChange(Optional.of(0L), Optional.of(false), Optional.of(false)));
        }
    }

    static double lag(String source, String target) {
        return runtime.registry().find("replag.lag.seconds")
                .tags("store", "s3", "source_region", source, "target_region", target).gauge().value();
    }

    static double up(String region) {
        return runtime.registry().find("replag.up").tags("store", "s3", "region", region).gauge().value();
    }

    static double status(String region, String status) {
        return runtime.registry().find("replag.replication.status").tags("store", "s3", "region", region, "status", status)
                .gauge().value();
    }

    static double errors(String region, String reason) {
        return runtime.registry().find("replag.errors").tags("store", "s3", "region", region, "reason", reason).counters()
                .stream().mapToDouble(Counter::count).sum();
    }

    static double errors(String region) {
        return runtime.registry().find("replag.errors").tags("store", "s3", "region", region).counters()
                .stream().mapToDouble(Counter::count).sum();
    }

    static long lastSeq(String source, String target) {
        return arrivals.stream().filter(s -> s.source.equals(source) && s.target.equals(target))
                .mapToLong(s -> s.arrival.seq()).max().orElse(0);
    }

    static boolean healthy() {
        return lag(US, EU) < 0.5 && lag(EU, US) < 0.5 && lag(US, AP) < 0.5;
    }

    @Test
    void a_theRulesPairsAndOnlyThoseAreMeasured() {
        Await.until(Duration.ofSeconds(20), "arrivals on the three ruled pairs",
                () -> lastSeq(US, EU) > 1 && lastSeq(EU, US) > 1 && lastSeq(US, AP) > 1);
        Set<String> pairs = runtime.registry().find("replag.lag.seconds").tag("store", "s3").gauges().stream()
                .map(g -> g.getId().getTag("source_region") + "->" + g.getId().getTag("target_region")).collect(Collectors.toSet());
        assertThat(pairs).containsExactlyInAnyOrder(US + "->" + EU, EU + "->" + US, US + "->" + AP);
        assertThat(healthy()).isTrue();
        Blob canary = s3.blobStore(AP).getBlob("assets-" + AP, "replag/replag-demo/" + US);
        assertThat(canary.getMetadata().getUserMetadata()).containsKeys("replag-seq", "replag-written-at-us")
                .containsEntry("replag-agent", "replag-demo");
        assertThat(s3.blobStore(AP).list("assets-" + AP)).as("ap-southeast-2 writes no canary: it has no rule")
                .noneMatch(m -> m.getName().endsWith(AP));
        Await.until(Duration.ofSeconds(10), "replication status COMPLETED in both writing regions",
                () -> status(US, "COMPLETED") == 1 && status(EU, "COMPLETED") == 1);
        assertThat(runtime.registry().find("replag.replication.status").tags("store", "s3", "region", AP).gauges())
                .as("no status for a region that writes nothing").isEmpty();
        Await.until(Duration.ofSeconds(10), "native figures", () -> runtime.registry().scrape().contains(
                "replag_native_lag_seconds{resource=\"assets\",source_metric=\"ReplicationLatency\",source_region=\"us-east-1\""));
    }

    @Test
    void c_pauseGrowsOnlyThatPairAndResumeRecovers() {
        Await.until(Duration.ofSeconds(20), "healthy", S3LabIT::healthy);
        s3.change(EU, US, new LinkChange(Optional.empty(), Optional.of(true)));
        Await.until(Duration.ofSeconds(15), "eu-west-1 -> us-east-1 above 4 s", () -> lag(EU, US) > 4);
        assertThat(lag(US, EU)).as("the other direction of the two-way pair").isLessThan(0.5);
        assertThat(lag(US, AP)).isLessThan(0.5);
        Await.until(Duration.ofSeconds(5), "eu-west-1's canary PENDING while its only rule is paused",
                () -> status(EU, "PENDING") == 1);
        s3.change(EU, US, new LinkChange(Optional.empty(), Optional.of(false)));
        Await.until(Duration.ofSeconds(10), "recovered", () -> lag(EU, US) < 0.5 && status(EU, "COMPLETED") == 1);
    }

    @Test
    void d_failedReplicationIsItsOwnSignalBesideTheLag() {
        Await.until(Duration.ofSeconds(20), "healthy", () -> healthy() && status(US, "COMPLETED") == 1);
        s3.change(US, AP, new LinkChange(Optional.empty(), Optional.empty(), Optional.of(true)));
        Await.until(Duration.ofSeconds(10), "us-east-1's canary FAILED", () -> status(US, "FAILED") == 1);
        assertThat(statusPageReplication(US)).as("the status page says so too").isEqualTo("FAILED");
        assertThat(status(US, "COMPLETED")).isZero();
        assertThat(status(EU, "FAILED")).as("eu-west-1's rule is fine").isZero();
        Await.until(Duration.ofSeconds(10), "us-east-1 -> ap-southeast-2 lag grows", () -> lag(US, AP) > 3);
        assertThat(lag(US, EU)).isLessThan(0.5);
        s3.change(US, AP, new LinkChange(Optional.empty(), Optional.empty(), Optional.of(false)));
        Await.until(Duration.ofSeconds(10), "COMPLETED again", () -> status(US, "COMPLETED") == 1 && lag(US, AP) < 0.5);
    }

    @Test
    void f_slowDownIsThrottledAndOtherPairsContinue() {
        Await.until(Duration.ofSeconds(20), "healthy", () -> healthy() && up(EU) == 1);
        double before = errors(EU, "throttled");
        s3.fault(EU, new Fault(0, "throttle"));
        Await.until(Duration.ofSeconds(15), "eu-west-1 throttled", () -> up(EU) == 0 && errors(EU, "throttled") > before);
        long usAp = lastSeq(US, AP);
        Await.until(Duration.ofSeconds(10), "us-east-1 -> ap-southeast-2 keeps arriving", () -> lastSeq(US, AP) >= usAp + 3);
        assertThat(lag(US, AP)).isLessThan(0.5);
        s3.fault(EU, Fault.NONE);
        Await.until(Duration.ofSeconds(20), "eu-west-1 recovers", () -> up(EU) == 1 && healthy());
    }

    /** A store of the demo's set with other buckets or credentials, for answers the running set never gets. */
    static S3CanaryStore storeWith(Map<String, String> buckets, String secret) {
        ReplicationSet demo = Demo.config(lab, "127.0.0.1", 0, TIMING).sets().get(0);
        S3Options options = (S3Options) demo.options();
        S3Options changed = S3Options.builder(buckets, options.rules()).pathStyle(true).nativeFigure(false)
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Lab.ACCESS_KEY, secret))).build();
        return new S3CanaryStore(runtime.vertx(), new ReplicationSet(demo.name(), demo.store(), demo.endpoints(), demo.pairs(),
                demo.timing(), changed));
    }

    @Test
    void g_missingBucketAndBadCredentialsHaveTheirReasons() throws Exception {
        CanaryKey key = new CanaryKey("reason-test", US);
        S3CanaryStore noBucket = storeWith(Map.of(US, "no-such-bucket", EU, "assets-" + EU, AP, "assets-" + AP), S3Lab.SECRET_KEY);
        S3CanaryStore badSecret = storeWith(io.replag.lab.s3.S3LabProvider.buckets(Demo.LAB_REGIONS), "not-the-secret");
        try {
            assertThatThrownBy(() -> noBucket.read(US, key).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(noBucket.errorReason(e.getCause()).map(io.replag.agent.spi.Reason::label)).contains("bucket_missing"));
            assertThat(noBucket.read(EU, key).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).canary())
                    .as("a key not there yet is no error").isEmpty();
            assertThatThrownBy(() -> badSecret.write(US, new Canary(key, 1, 1)).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(badSecret.errorReason(e.getCause()).map(io.replag.agent.spi.Reason::label)).contains("auth_failed"));
        } finally {
            noBucket.close();
            badSecret.close();
        }
    }
}
