package io.replag.tools;

import io.replag.exporter.ReplagRuntime;
import io.replag.lab.Lab;

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
        io.replag.exporter.TestFiles.selfSignedCertificate(dir, name);
    }
}
