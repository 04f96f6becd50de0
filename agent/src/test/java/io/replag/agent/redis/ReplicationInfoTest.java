package io.replag.agent.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** INFO replication as Redis 7 prints it, on a primary and on its replica. */
class ReplicationInfoTest {
    static final String PRIMARY = """
            # Replication\r
            role:master\r
            connected_slaves:1\r
            slave0:ip=127.0.0.1,port=7001,state=online,offset=5000,lag=0\r
            master_failover_state:no-failover\r
            master_replid:8c3b2a4e1d0f6a7b9c8d7e6f5a4b3c2d1e0f9a8b\r
            master_replid2:0000000000000000000000000000000000000000\r
            master_repl_offset:5230\r
            """;
    static final String REPLICA_UP = """
            # Replication\r
            role:slave\r
            master_host:127.0.0.1\r
            master_port:7000\r
            master_link_status:up\r
            master_last_io_seconds_ago:0\r
            slave_repl_offset:5000\r
            master_replid:8c3b2a4e1d0f6a7b9c8d7e6f5a4b3c2d1e0f9a8b\r
            master_repl_offset:5000\r
            """;

    @Test
    void aReplicaBehindItsPrimaryCountsTheBytesItHasYetToReceive() {
        ReplicationInfo replica = ReplicationInfo.parse(REPLICA_UP);
        ReplicationInfo primary = ReplicationInfo.parse(PRIMARY);
        assertThat(replica.replica()).isTrue();
        assertThat(replica.linkUp()).contains(true);
        assertThat(primary.primary()).isTrue();
        assertThat(primary.linkUp()).isEmpty();
        assertThat(replica.bytesBehind(primary)).contains(230L);
    }

    @Test
    void aDownLinkIsDownAndOffsetsOfAnotherStreamAreNotCompared() {
        ReplicationInfo down = ReplicationInfo.parse(REPLICA_UP.replace("master_link_status:up", "master_link_status:down"));
        assertThat(down.linkUp()).contains(false);
        ReplicationInfo failedOver = ReplicationInfo.parse(PRIMARY.replace("master_replid:8c3b", "master_replid:ffff"));
        assertThat(down.bytesBehind(failedOver)).as("another replication id").isEmpty();
        assertThat(ReplicationInfo.parse(PRIMARY).bytesBehind(ReplicationInfo.parse(PRIMARY))).as("a primary is nobody's replica").isEmpty();
    }

    @Test
    void aReplicaAheadOfAnOlderPrimaryReadingIsZeroBehindNeverNegative() {
        ReplicationInfo replica = ReplicationInfo.parse(REPLICA_UP.replace("master_repl_offset:5000", "master_repl_offset:6000"));
        assertThat(replica.bytesBehind(ReplicationInfo.parse(PRIMARY))).contains(0L);
    }
}
