package io.replag.lab.redis;

import io.replag.lab.LabUnavailable;
import io.replag.lab.LinkChange;
import io.replag.lab.distance.Geography;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lab's replication is real REPLICAOF through the lab's proxies: links delay and pause one replica, the ACL holds. */
class RedisLabTest {
    static RedisLab lab;

    @BeforeAll
    static void start() throws Exception {
        try {
            lab = RedisLab.start("us-east-1", List.of("eu-west-1", "ap-southeast-2"), Geography.NONE);
        } catch (LabUnavailable e) {
            System.out.println("RedisLabTest skipped: " + e.getMessage());
            Assumptions.abort(e.getMessage());
        }
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    private static long valueOn(String region) {
        try (Resp r = new Resp(lab.ports().get(region), RedisLab.ADMIN_PASSWORD)) {
            Object v = r.call("GET", "lab-probe");
            return v == null ? -1 : Long.parseLong((String) v);
        } catch (java.io.IOException e) {
            return -2;
        }
    }

    private static void write(long v) throws Exception {
        try (Resp r = new Resp(lab.ports().get("us-east-1"), RedisLab.ADMIN_PASSWORD)) {
            r.call("SET", "lab-probe", Long.toString(v));
        }
    }

    /**
     * Milliseconds until the region holds exactly v (the value last written): "at least" would pass
     * at once on a replica still holding a larger value from a test that ran before; -1 if not
     * within the bound.
     */
    private static long awaitValue(String region, long v, long timeoutMs) {
        long start = System.nanoTime();
        while ((System.nanoTime() - start) / 1_000_000 < timeoutMs) {
            if (valueOn(region) == v) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            Thread.onSpinWait();
        }
        return -1;
    }

    @Test
    void replicasAreReadOnlyAndReceiveThePrimarysWrites() throws Exception {
        write(1);
        assertThat(awaitValue("eu-west-1", 1, 10_000)).isNotNegative();
        assertThat(awaitValue("ap-southeast-2", 1, 10_000)).isNotNegative();
        assertThat(lab.info("eu-west-1")).contains("role:slave", "master_link_status:up");
        try (Resp r = new Resp(lab.ports().get("eu-west-1"), RedisLab.ADMIN_PASSWORD)) {
            assertThatThrownBy(() -> r.call("SET", "lab-probe", "0")).hasMessageStartingWith("READONLY");
        }
    }

    @Test
    void aDelayHoldsOneLinkByItsMillisecondsAndAPauseHoldsItUntilResumed() throws Exception {
        write(10);
        assertThat(awaitValue("eu-west-1", 10, 10_000)).isNotNegative();
        // both replicas caught up first: a replica another test restarted may still be resyncing
        // (CI saw ap-southeast-2 still at an earlier test's 20 when eu-west-1 had 11)
        assertThat(awaitValue("ap-southeast-2", 10, 10_000)).isNotNegative();
        lab.change("us-east-1", "eu-west-1", new LinkChange(Optional.of(700L), Optional.empty()));
        try {
            write(11);
            long delayed = awaitValue("eu-west-1", 11, 10_000);
            assertThat(delayed).as("the delayed link").isGreaterThanOrEqualTo(690);
            assertThat(valueOn("ap-southeast-2")).as("the other link is not delayed").isEqualTo(11);
        } finally {
            lab.change("us-east-1", "eu-west-1", new LinkChange(Optional.of(0L), Optional.empty()));
        }
        lab.change("us-east-1", "ap-southeast-2", new LinkChange(Optional.empty(), Optional.of(true)));
        assertThat(lab.links()).anyMatch(l -> l.target().equals("ap-southeast-2") && l.paused());
        write(12);
        assertThat(awaitValue("eu-west-1", 12, 10_000)).isNotNegative();
        assertThat(awaitValue("ap-southeast-2", 12, 1_500)).as("held while paused").isNegative();
        lab.change("us-east-1", "ap-southeast-2", new LinkChange(Optional.empty(), Optional.of(false)));
        assertThat(awaitValue("ap-southeast-2", 12, 10_000)).as("delivered on resume").isNotNegative();
        assertThat(lab.info("ap-southeast-2")).contains("master_link_status:up");
    }

    @Test
    void linksThatTheLabCannotPlayAreRefusedWithTheField() {
        assertThatThrownBy(() -> lab.change("us-east-1", "eu-west-1", new LinkChange(Optional.empty(), Optional.empty(), Optional.of(true))))
                .hasMessageStartingWith("dropping:");
        assertThatThrownBy(() -> lab.change("us-east-1", "eu-west-1", LinkChange.delay(100, 50))).hasMessageStartingWith("jitterMs:");
        assertThatThrownBy(() -> lab.change("eu-west-1", "us-east-1", LinkChange.delay(100, 0)))
                .isInstanceOf(java.util.NoSuchElementException.class);
    }

    @Test
    void replagsUserMayTouchOnlyTheCanaryKeysWithTheCommandsItNeeds() throws Exception {
        try (Resp r = new Resp(lab.ports().get("us-east-1"), null)) {
            r.call("AUTH", RedisLab.USER, RedisLab.PASSWORD);
            assertThat(r.call("HMGET", "replag:{replag}:a:us-east-1", "seq")).isEqualTo(java.util.Arrays.asList((Object) null));
            assertThat(r.call("INFO", "replication")).asString().contains("role:master");
            assertThatThrownBy(() -> r.call("GET", "lab-probe")).hasMessageStartingWith("NOPERM");
            // the script's own HSET is checked against this user, so HSET is granted, but only on the canary keys
            assertThatThrownBy(() -> r.call("HSET", "sessions:42", "seq", "1")).hasMessageStartingWith("NOPERM");
            assertThatThrownBy(() -> r.call("FLUSHALL")).hasMessageStartingWith("NOPERM");
        }
        try (Resp r = new Resp(lab.ports().get("us-east-1"), null)) {
            assertThatThrownBy(() -> r.call("AUTH", RedisLab.USER, "not-the-password")).hasMessageStartingWith("WRONGPASS");
        }
    }

    @Test
    void aStoppedReplicaStartsAgainAndCatchesUp() throws Exception {
        lab.stopRegion("ap-southeast-2");
        assertThat(valueOn("ap-southeast-2")).isEqualTo(-2);
        write(20);
        lab.startRegion("ap-southeast-2");
        assertThat(awaitValue("ap-southeast-2", 20, 20_000)).isNotNegative();
    }
}
