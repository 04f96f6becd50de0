package io.replag.exporter;

import io.replag.lab.Lab;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What several integration tests set up and tear down the same way. */
public final class Fixtures {
    private Fixtures() {
    }

    /** Stops the runtime (draining HTTP), then the lab; either may be null if start failed. */
    public static void stop(ReplagRuntime runtime, Lab lab) throws Exception {
        if (runtime != null) {
            runtime.stop().get(15, TimeUnit.SECONDS);
        }
        if (lab != null) {
            lab.close();
        }
    }

    /** A self-signed certificate for localhost and 127.0.0.1, written as {@code <name>.crt} and {@code <name>.key}. */
    public static void selfSignedCertificate(Path dir, String name) throws Exception {
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".crt").toString())
                .redirectErrorStream(true).start();
        String out = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (openssl.waitFor() != 0) {
            throw new IllegalStateException("openssl failed: " + out);
        }
    }
}
