package io.replag.exporter.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.engine.ArrivalListener;
import io.replag.agent.sql.SqlOptions;
import io.replag.exporter.Await;
import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.config.ReplagConfig;
import io.replag.exporter.web.WebConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP server under requests an attacker or a bad day sends: malformed ones, slow ones, too many, wrong passwords. */
class HardeningIT {
    static final ServerLimits LIMITS = new ServerLimits(Duration.ofSeconds(1), Duration.ofSeconds(30), 100);
    static ReplagRuntime runtime;
    static int port;
    static final String GOOD = "Basic " + Base64.getEncoder().encodeToString("prometheus:s3cret-scrape".getBytes(StandardCharsets.UTF_8));
    static final String WRONG = "Basic " + Base64.getEncoder().encodeToString("prometheus:guess".getBytes(StandardCharsets.UTF_8));

    @BeforeAll
    static void start() throws Exception {
        String hash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(10, "s3cret-scrape".toCharArray());
        WebConfig web = new WebConfig(Optional.empty(), Map.of("prometheus", hash));
        // a set whose endpoints refuse connections: the exporter serves all the same
        ReplicationSet set = new ReplicationSet("orders", "postgres",
                Map.of("us-east-1", new Endpoint("127.0.0.1", 1), "eu-west-1", new Endpoint("127.0.0.1", 2)),
                ReplicationSet.singleWriter("us-east-1", List.of("eu-west-1")), ProbeTiming.DEFAULT,
                SqlOptions.builder().database("postgres").user("postgres").build());
        runtime = new ReplagRuntime(new ReplagConfig("hardening", "127.0.0.1", 0, List.of(set)), null, ArrivalListener.NONE, web)
                .serverLimits(LIMITS);
        port = runtime.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (runtime != null) {
            runtime.stop().get(30, TimeUnit.SECONDS);
        }
    }

    /** Sends raw bytes and reads the answer until the server closes or 3 s pass. */
    static String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(3_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    if (out.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                // answered without closing
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void malformedRequestsGetAShortAnswerAndAtMostOneLogLineEachWithoutAStackTrace() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        List<String> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                // with credentials, so that the request passes the auth guard and fails in the router
                answers.add(raw("GET /x%zz HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + GOOD + "\r\n\r\n"));
                answers.add(raw("GET /metrics HTTP/1.1\r\n\r\n"));
            }
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        System.out.println("log of 60 malformed requests (" + log.length() + " bytes):\n" + log);
        assertThat(answers).allSatisfy(a -> assertThat(a).startsWith("HTTP/1.1 400"));
        assertThat(log).doesNotContain("\tat ").doesNotContain("Unhandled exception");
        assertThat(log.lines().filter(l -> l.contains("rejected request")).count()).as("one line per cause").isLessThanOrEqualTo(2);
    }

    @Test
    void aClientThatSendsItsHeadersSlowlyIsClosedAtTheHeaderTimeout() throws Exception {
        long before = runtime.connections().timedOut();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(200);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("GET /metrics HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.ISO_8859_1));
            boolean closed = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int i = 0; !closed && System.nanoTime() < deadline; i++) {
                try {
                    out.write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    closed = in.read() < 0;
                } catch (SocketTimeoutException e) {
                    // still open: one more header line
                } catch (java.io.IOException e) {
                    closed = true; // reset by the server
                }
            }
            assertThat(closed).as("the server closed a connection that never finished its headers").isTrue();
        }
        Await.until(Duration.ofSeconds(5), "counted", () -> runtime.connections().timedOut() > before);
    }

    @Test
    void connectionsOverTheCapAreClosedAtOnce() throws Exception {
        long before = runtime.connections().refused();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < LIMITS.maxConnections() + 10; i++) {
                sockets.add(new Socket("127.0.0.1", port));
            }
            Await.until(Duration.ofSeconds(5), "connections over the cap refused", () -> runtime.connections().refused() >= before + 10);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void aWrongPasswordFloodNeitherLetsInNorStarvesTheScrape() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).header("Authorization", GOOD).build();
        assertThat(http.send(scrape, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        List<Double> idle = timed(http, scrape, 10);

        HttpRequest wrong = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).header("Authorization", WRONG)
                .timeout(Duration.ofSeconds(60)).build();
        // 64 at a time, as the adversarial run did: within the connection cap, so only the password checks are tested
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(64);
        List<CompletableFuture<HttpResponse<String>>> flood = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread sender = new Thread(() -> {
            for (int i = 0; i < 400; i++) {
                inFlight.acquireUninterruptibly();
                flood.add(http.sendAsync(wrong, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release()));
            }
        });
        sender.start();
        Await.until(Duration.ofSeconds(10), "the flood under way", () -> flood.size() >= 64);
        List<Double> underFlood = timed(http, scrape, 10);
        sender.join(120_000);
        for (var f : List.copyOf(flood)) {
            assertThat(f.get(90, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
        }
        System.out.printf("authenticated scrape, s (min/median/max): idle %s, under a 400-request wrong-password flood (64 at a time) %s;"
                        + " bcrypt checks for the flood %d, refused unchecked %d%n",
                summary(idle), summary(underFlood), runtime.auth().checks(), runtime.auth().refusedUnchecked());
    }

    static List<Double> timed(HttpClient http, HttpRequest request, int n) throws Exception {
        List<Double> seconds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            seconds.add((System.nanoTime() - t) / 1e9);
        }
        return seconds;
    }

    static String summary(List<Double> s) {
        List<Double> sorted = new ArrayList<>(s);
        Collections.sort(sorted);
        return String.format("%.4f/%.4f/%.4f", sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }
}
