package io.replag.agent.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the files replag is pointed at (the config, the web config, password files) with bounds:
 * regular files only (not {@code /dev/zero}, not a FIFO that never ends), and at most a given size.
 */
public final class BoundedFiles {
    /** A config file is a few kB; 1 MiB is generous. */
    public static final int MAX_CONFIG_BYTES = 1 << 20;
    /** A password or token. */
    public static final int MAX_SECRET_BYTES = 64 << 10;

    private BoundedFiles() {
    }

    /** @throws IOException naming why: not a regular file, larger than {@code maxBytes}, or unreadable */
    public static String read(Path file, int maxBytes) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(Files.exists(file) ? "not a regular file" : "no such file");
        }
        if (Files.size(file) > maxBytes) {
            throw new IOException("larger than " + maxBytes + " bytes");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IOException("larger than " + maxBytes + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
