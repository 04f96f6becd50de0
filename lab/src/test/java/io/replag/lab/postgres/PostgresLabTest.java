package io.replag.lab.postgres;

import io.replag.lab.LinkChange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The lab's replication is real: rows written on the primary appear on the replicas, and links act. */
class PostgresLabTest {
    static PostgresLab lab;

    @BeforeAll
    static void start() throws Exception {
        lab = PostgresLab.start("us-east-1", List.of("eu-west-1", "ap-southeast-2"));
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    static long valueOn(String region) throws Exception {
        try (Connection c = lab.connect(region); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(v), -1) FROM lab_probe")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return -2; // table not replicated yet
        }
    }

    static void write(long v) throws Exception {
        try (Connection c = lab.connect("us-east-1"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS lab_probe (v bigint)");
            s.execute("INSERT INTO lab_probe VALUES (" + v + ")");
        }
    }

    static long awaitValue(String region, long v, long timeoutMs) throws Exception {
        long start = System.nanoTime();
        while ((System.nanoTime() - start) / 1_000_000 < timeoutMs) {
            if (valueOn(region) >= v) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            Thread.onSpinWait();
        }
        return -1;
    }

    @Test
    void replicasAreInRecoveryAndStreamFromThePrimary() throws Exception {
        write(1);
        assertThat(awaitValue("eu-west-1", 1, 10_000)).isNotNegative();
        assertThat(awaitValue("ap-southeast-2", 1, 10_000)).isNotNegative();
        try (Connection c = lab.connect("eu-west-1"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            assertThat(rs.getBoolean(1)).isTrue();
        }
    }

    @Test
    void delayAndPauseActOnOneLinkOnly() throws Exception {
        write(10);
        assertThat(awaitValue("eu-west-1", 10, 10_000)).isNotNegative();
        lab.change("us-east-1", "eu-west-1", new LinkChange(Optional.of(700L), Optional.empty()));
        write(11);
        long delayed = awaitValue("eu-west-1", 11, 10_000);
        assertThat(delayed).isGreaterThanOrEqualTo(650);
        assertThat(valueOn("ap-southeast-2")).isEqualTo(11);

        lab.change("us-east-1", "eu-west-1", new LinkChange(Optional.of(0L), Optional.of(true)));
        write(12);
        assertThat(awaitValue("ap-southeast-2", 12, 10_000)).isNotNegative();
        assertThat(awaitValue("eu-west-1", 12, 1_500)).as("paused").isEqualTo(-1);
        lab.change("us-east-1", "eu-west-1", new LinkChange(Optional.empty(), Optional.of(false)));
        assertThat(awaitValue("eu-west-1", 12, 10_000)).isNotNegative();
        assertThat(lab.links()).extracting(l -> l.target() + ":" + l.delayMs() + ":" + l.paused())
                .containsExactly("eu-west-1:0:false", "ap-southeast-2:0:false");
    }
}
