package io.replag.agent.sql;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RDS IAM tokens are SigV4 pre-signed URLs made locally, so signing can be checked without AWS:
 * credentials come from the default chain (here its system-property link).
 */
@ExtendWith(VertxExtension.class)
class RdsIamTokenTest {

    @BeforeEach
    void credentials() {
        System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
        System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    }

    @AfterEach
    void clear() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    @Test
    void signsAConnectTokenForTheEndpointRegionAndUserAndReusesIt(Vertx vertx, VertxTestContext ctx) {
        RdsIamToken tokens = new RdsIamToken(vertx);
        PgConnectOptions connect = new PgConnectOptions().setHost("orders.abc.eu-west-1.rds.amazonaws.com").setPort(5432).setUser("replag");
        tokens.token("eu-west-1", connect).compose(first -> tokens.token("eu-west-1", connect).map(second -> {
            ctx.verify(() -> {
                assertThat(first).startsWith("orders.abc.eu-west-1.rds.amazonaws.com:5432/?")
                        .contains("Action=connect").contains("DBUser=replag")
                        .contains("X-Amz-Credential=AKIDEXAMPLE%2F").contains("%2Feu-west-1%2Frds-db%2Faws4_request")
                        .contains("X-Amz-Signature=")
                        .doesNotContain("wJalrXUtnFEMI");
                assertThat(second).as("cached for 10 minutes").isEqualTo(first);
            });
            return second;
        })).onComplete(ctx.succeedingThenComplete());
    }
}
