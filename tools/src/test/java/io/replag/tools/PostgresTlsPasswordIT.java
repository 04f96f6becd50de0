package io.replag.tools;

import io.replag.exporter.Await;
import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.TestFiles;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.replag.exporter.config.ConfigLoader;
import io.replag.exporter.config.ReplagConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A configuration file as a user writes it (password from the environment, TLS verify-full with a
 * CA file) against a PostgreSQL server that accepts only TLS connections with a SCRAM password.
 * The password must never reach the logs, the metrics, the status page, the health endpoints or an
 * error message.
 */
class PostgresTlsPasswordIT {
    static final String SECRET = "Tr0ub4dor-and-3";
    static EmbeddedPostgres server;
    static Path certs;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        certs = dir;
        TestFiles.selfSignedCertificate(dir, "server");
        Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        server = EmbeddedPostgres.builder()
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("ssl", "on")
                .setServerConfig("ssl_cert_file", dir.resolve("server.crt").toString())
                .setServerConfig("ssl_key_file", dir.resolve("server.key").toString())
                .setServerConfig("password_encryption", "scram-sha-256")
                .setDataDirectoryCustomizer(data -> {
                    try {
                        Files.writeString(data.toPath().resolve("pg_hba.conf"), """
                                local   all      all                    trust
                                host    all      postgres 127.0.0.1/32  trust
                                host    all      postgres ::1/128       trust
                                hostssl all      replag   127.0.0.1/32  scram-sha-256
                                """);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .start();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE replag LOGIN PASSWORD '" + SECRET + "'");
            s.execute("CREATE TABLE replag_canary (agent text NOT NULL, source_region text NOT NULL, "
                    + "seq bigint NOT NULL, written_at_us bigint NOT NULL, PRIMARY KEY (agent, source_region))");
            s.execute("GRANT SELECT, INSERT, UPDATE ON replag_canary TO replag");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    String yaml(String tls) {
        return """
                agent: tls-test
                server: {listen: "127.0.0.1:0"}
                replication_sets:
                  - name: secure
                    store: postgres
                    primary: {region: us-east-1, endpoint: "localhost:%1$d"}
                    replicas: [{region: eu-west-1, endpoint: "127.0.0.1:%1$d"}]
                    postgres:
                      database: postgres
                      user: replag
                      password: ${PG_PASSWORD}
                      create_table: false
                      tls: %2$s
                """.formatted(server.getPort(), tls);
    }

    static void await(Duration bound, String what, BooleanSupplier condition) {
        Await.until(bound, what, condition);
    }

    /** Runs the config until {@code until} holds; returns what was logged and served meanwhile. */
    String runUntil(String yaml, String password, java.util.function.Predicate<ReplagRuntime> until) throws Exception {
        ReplagConfig config = new ConfigLoader(Map.of("PG_PASSWORD", password)::get).parse("secure.yaml", yaml);
        PrintStream originalErr = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        ReplagRuntime runtime = new ReplagRuntime(config, null);
        try {
            int port = runtime.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            await(Duration.ofSeconds(30), "the expected state", () -> until.test(runtime));
            StringBuilder served = new StringBuilder();
            for (String path : java.util.List.of("/metrics", "/status.json", "/", "/health/regions/eu-west-1")) {
                served.append(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(), HttpResponse.BodyHandlers.ofString()).body()).append('\n');
            }
            return logged.toString(StandardCharsets.UTF_8) + "\n" + served;
        } finally {
            runtime.stop().get(15, TimeUnit.SECONDS);
            System.setErr(originalErr);
            System.err.print(logged.toString(StandardCharsets.UTF_8));
        }
    }

    static double arrived(ReplagRuntime r) {
        Counter c = r.registry().find("replag.canaries.arrived").counter();
        return c == null ? 0 : c.count();
    }

    static double up(ReplagRuntime r, String region) {
        Gauge g = r.registry().find("replag.up").tag("region", region).gauge();
        return g == null ? Double.NaN : g.value();
    }

    static double errors(ReplagRuntime r, String reason) {
        return r.registry().find("replag.errors").tag("reason", reason).counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    void verifyFullWithTheCaFileAndAPasswordFromTheEnvironmentMeasures() throws Exception {
        String seen = runUntil(yaml("{mode: verify-full, ca_file: " + certs.resolve("server.crt") + "}"), SECRET,
                r -> arrived(r) >= 3);
        assertThat(seen).contains("replag_up{region=\"eu-west-1\",resource=\"secure\",store=\"postgres\"} 1.0");
        assertThat(seen).doesNotContain(SECRET);
    }

    @Test
    void wrongPasswordIsAuthFailedAndNeverPrinted() throws Exception {
        String wrong = "wrong-" + SECRET;
        // the first auth_failed can be the other region's native-figure query, which leaves replag_up alone:
        // wait for us-east-1's own canary call to have failed too
        String seen = runUntil(yaml("{mode: verify-full, ca_file: " + certs.resolve("server.crt") + "}"), wrong,
                r -> errors(r, "auth_failed") > 0 && up(r, "us-east-1") == 0);
        assertThat(seen).contains("auth_failed").contains("replag_up{region=\"us-east-1\",resource=\"secure\",store=\"postgres\"} 0.0");
        assertThat(seen).as("the status page shows the last error").contains("\"lastError\":\"");
        assertThat(seen).doesNotContain(wrong).doesNotContain(SECRET);
    }

    @Test
    void untrustedCertificateIsATlsFailure() throws Exception {
        String seen = runUntil(yaml("{mode: verify-full}"), SECRET, r -> errors(r, "tls_failed") > 0);
        assertThat(seen).contains("reason=\"tls_failed\"").doesNotContain(SECRET);
    }
}
