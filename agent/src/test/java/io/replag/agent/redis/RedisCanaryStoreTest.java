package io.replag.agent.redis;

import io.replag.agent.config.ConfigErrors;
import io.replag.agent.config.ConfigNode;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.Reason;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What the server's error replies mean, as the engine labels failed calls (the calls themselves: RedisLabIT, RedisClusterIT). */
class RedisCanaryStoreTest {
    private final Vertx vertx = Vertx.vertx();
    private final RedisCanaryStore store = new RedisCanaryStore(vertx,
            new ReplicationSet("carts", "redis", Map.of("us-east-1", new Endpoint("a", 6379), "eu-west-1", new Endpoint("b", 6379)),
                    ReplicationSet.multiWriter(List.of("us-east-1", "eu-west-1")), ProbeTiming.DEFAULT, null),
            new RedisStoreProvider().parseOptions(ConfigNode.root(Map.of("redis", Map.of("cluster", true)), new ConfigErrors(), n -> null)
                    .get("redis"), List.of("us-east-1", "eu-west-1")));

    @AfterEach
    void close() {
        vertx.close();
    }

    private Optional<Reason> reason(String message) {
        return store.errorReason(new RuntimeException("wrapped", new RuntimeException(message)));
    }

    @Test
    void aClusterClientThatMayNotAskForTheSlotsIsDeniedNotRefused() {
        assertThat(reason("Cannot connect to any of the provided endpoints - NOPERM this user has no permissions to run the 'cluster|slots' command"))
                .contains(Reason.ACCESS_DENIED);
        assertThat(reason("NOPERM this user has no permissions to access one of the keys used as arguments")).contains(Reason.ACCESS_DENIED);
    }

    @Test
    void serverWordsAreReasonsAndAConnectionFailureIsLeftToTheEngine() {
        assertThat(reason("NOSCRIPT No matching script. Please use EVAL.")).contains(Reason.missing("script_missing"));
        assertThat(reason("WRONGPASS invalid username-password pair or user is disabled.")).contains(Reason.AUTH_FAILED);
        assertThat(reason("CLUSTERDOWN The cluster is down")).contains(Reason.of("replication_down"));
        assertThat(reason("Failed to connect to all nodes of the cluster - io.netty.channel.AbstractChannel$AnnotatedConnectException: "
                + "Connection refused: /127.0.0.1:35801")).isEmpty();
    }
}
