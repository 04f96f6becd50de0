package io.replag.tools;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** scripts/abuse, as CI runs it: every check passes within its time. */
class AbuseScriptIT {

    @Test
    void theAbuseScriptPasses() throws Exception {
        Path root = MonitoringIT.repoRoot();
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("scripts/abuse").toString(), Integer.toString(ShutdownIT.freePort()))
                .redirectErrorStream(true);
        pb.environment().put("REPLAG_JAR", root.resolve("tools/target/replag-tools.jar").toString());
        Process p = pb.start();
        // read as it comes, so the demo's pipe never fills
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                out.append("(output lost: ").append(e).append(")");
            }
        });
        reader.start();
        boolean finished = p.waitFor(4, TimeUnit.MINUTES);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        reader.join(10_000);
        System.out.println(out);
        assertThat(finished).as("scripts/abuse finished").isTrue();
        assertThat(p.exitValue()).as("scripts/abuse exit status").isZero();
        assertThat(out.toString()).contains("abuse: every check passed").doesNotContainPattern("(?m)^FAIL  ");
    }
}
