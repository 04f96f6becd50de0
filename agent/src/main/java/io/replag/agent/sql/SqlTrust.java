package io.replag.agent.sql;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;

import javax.net.ssl.TrustManagerFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;

/** The client TLS options of a {@link SqlOptions.Tls} mode; each store maps the mode to its client's own enum. */
public final class SqlTrust {
    private SqlTrust() {
    }

    /** Empty for {@code disable}; trust-all for {@code require}; the CA file or the JVM's trust for the verify modes. */
    public static Optional<ClientSSLOptions> sslOptions(SqlOptions.Tls tls) {
        return switch (tls.mode()) {
            case "disable" -> Optional.empty();
            case "require" -> Optional.of(new ClientSSLOptions().setTrustAll(true));
            case "verify-ca", "verify-full" -> {
                ClientSSLOptions ssl = new ClientSSLOptions();
                ssl.setTrustOptions(tls.caFile().<TrustOptions>map(ca -> new PemTrustOptions().addCertPath(ca))
                        .orElseGet(SqlTrust::jvmDefaultTrust));
                ssl.setHostnameVerificationAlgorithm(tls.mode().equals("verify-full") ? "HTTPS" : "");
                yield Optional.of(ssl);
            }
            default -> throw new IllegalArgumentException("tls.mode: unknown mode " + tls.mode());
        };
    }

    /** The JVM's own trust store (no ca_file given). RDS certificates need the RDS bundle as ca_file. */
    private static TrustOptions jvmDefaultTrust() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            return TrustOptions.wrap(factory);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM's default trust store cannot be loaded", e);
        }
    }
}
