package io.replag.exporter.web;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.InvalidConfigException;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.engine.ArrivalListener;
import io.replag.agent.sql.SqlOptions;
import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.config.ReplagConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS and basic auth from an exporter-toolkit web config, checked with a real TLS client. */
class WebConfigIT {
    static Path dir;
    static ReplagRuntime runtime;
    static HttpClient trusting;
    static SSLContext context;
    static String base;

    @BeforeAll
    static void start(@TempDir Path tmp) throws Exception {
        dir = tmp;
        io.replag.exporter.TestFiles.selfSignedCertificate(dir, "web");
        String hash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(10, "s3cret-scrape".toCharArray());
        Files.writeString(dir.resolve("web.yml"), """
                tls_server_config:
                  cert_file: web.crt
                  key_file: web.key
                basic_auth_users:
                  prometheus: %s
                """.formatted(hash));
        WebConfig web = WebConfigLoader.load(dir.resolve("web.yml"));

        // a set whose endpoints refuse connections: the exporter serves all the same
        ReplicationSet set = new ReplicationSet("orders", "postgres",
                Map.of("us-east-1", new Endpoint("127.0.0.1", 1), "eu-west-1", new Endpoint("127.0.0.1", 1)),
                ReplicationSet.singleWriter("us-east-1", List.of("eu-west-1")), ProbeTiming.DEFAULT, SqlOptions.builder().database("postgres").user("postgres").build());
        runtime = new ReplagRuntime(new ReplagConfig("web-test", "127.0.0.1", 0, List.of(set)), null, ArrivalListener.NONE, web);
        base = "https://127.0.0.1:" + runtime.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("web.crt"))) {
            trust.setCertificateEntry("replag", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        context = tls;
        trusting = HttpClient.newBuilder().sslContext(tls).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (runtime != null) {
            runtime.stop().get(15, TimeUnit.SECONDS);
        }
    }

    static HttpResponse<String> get(String path, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return trusting.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyEndpointNeedsTheRightCredentialsOverTls() throws Exception {
        HttpResponse<String> ok = get("/metrics", "prometheus", "s3cret-scrape");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("replag_up{");
        assertThat(get("/metrics", "prometheus", "s3cret-scrape").statusCode()).as("remembered, still fine").isEqualTo(200);
        for (String path : List.of("/metrics", "/health", "/ready", "/", "/status.json", "/health/regions/us-east-1")) {
            HttpResponse<String> none = get(path, null, null);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"replag\"");
        }
        assertThat(get("/metrics", "prometheus", "wrong").statusCode()).isEqualTo(401);
        assertThat(get("/metrics", "intruder", "s3cret-scrape").statusCode()).isEqualTo(401);
    }

    /** A TLS 1.2 handshake offering only {@code suite}; true if the server accepted it. */
    static boolean handshake(String suite) throws Exception {
        // the client itself must be able to offer it, or a refusal would prove nothing about the server
        assertThat(context.getSupportedSSLParameters().getCipherSuites()).as("this JDK's client supports " + suite).contains(suite);
        int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setEnabledCipherSuites(new String[] {suite});
            s.startHandshake();
            return true;
        } catch (javax.net.ssl.SSLException | java.net.SocketException e) {
            return false;
        }
    }

    @Test
    void onlyForwardSecretAeadCipherSuitesAreAccepted() throws Exception {
        assertThat(handshake("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")).as("exporter-toolkit's default suite").isTrue();
        assertThat(handshake("TLS_RSA_WITH_AES_128_CBC_SHA")).as("AES128-SHA: RSA key exchange, no forward secrecy").isFalse();
        assertThat(handshake("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256")).as("CBC, not AEAD").isFalse();
    }

    @Test
    void plainHttpIsNotServedOnTheTlsPort() {
        String plain = base.replace("https://", "http://") + "/metrics";
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(plain)).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void gzipWhenTheClientAcceptsIt() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Accept-Encoding", "gzip")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("prometheus:s3cret-scrape".getBytes(StandardCharsets.UTF_8)))
                .build();
        HttpResponse<byte[]> r = trusting.send(request, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.headers().firstValue("Content-Encoding")).contains("gzip");
        String page = new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(r.body())).readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(page).as("compressed once, not twice").contains("replag_build_info{");
    }

    @Test
    void badWebConfigFilesAreRefusedNamingTheKey() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yml"), """
                tls_server_config:
                  cert_file: missing.crt
                  key_file: web.key
                  client_auth_type: RequireAndVerifyClientCert
                basic_auth_users:
                  prometheus: plaintext-password
                http_server_config: {http2: true}
                """);
        assertThatThrownBy(() -> WebConfigLoader.load(bad)).isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).errors()).containsExactlyInAnyOrder(
                        "tls_server_config.cert_file: cannot read \"" + dir.resolve("missing.crt") + "\"",
                        "tls_server_config.client_auth_type: unknown key (known here: cert_file, key_file)",
                        "basic_auth_users.prometheus: must be a bcrypt hash ($2y$10$... as htpasswd -nBC 10 makes), found something else",
                        "http_server_config: unknown key (known here: tls_server_config, basic_auth_users)"))
                .hasMessageNotContaining("plaintext-password");
    }
}
