package io.replag.exporter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The repository, the tools on PATH, and test certificates: what tests of every module look up the same way. */
public final class TestFiles {
    private TestFiles() {
    }

    /** The repository's root: the nearest directory above the working one that holds alerts/. */
    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("alerts"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("repository root (with alerts/) not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    public static boolean onPath(String tool) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
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
