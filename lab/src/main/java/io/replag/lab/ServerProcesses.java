package io.replag.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the lab's server processes (MariaDB, Redis) share: finding the binary, waiting for its port, stopping it, cleaning up. */
public final class ServerProcesses {
    private ServerProcesses() {
    }

    /** The executable {@code tool} on the PATH or in one of {@code extraDirs} (sbin directories are not on every PATH). */
    public static Optional<Path> onPath(String tool, String... extraDirs) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of(extraDirs));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, tool)).filter(Files::isExecutable).findFirst();
    }

    /** Waits until {@code p} listens on {@code port} on 127.0.0.1, at most 30 s; fails naming {@code log} if it exits or does not. */
    public static void awaitPort(String server, int port, Process p, Path log) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException(server + " exited at start; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // bounded by the deadline above
            }
        }
        throw new IOException(server + " did not listen on " + port + " within 30 s; see " + log);
    }

    /** SIGTERM (the server shuts down cleanly), then SIGKILL after 20 s. */
    public static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes {@code root} and all below it; what cannot be deleted is left and logged. */
    public static void deleteTree(Path root, org.slf4j.Logger log) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            log.debug("lab cleanup of {}: {}", root, e.toString());
        }
    }
}
