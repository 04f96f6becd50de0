package io.replag.agent.redis;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** ElastiCache and MemoryDB IAM tokens are SigV4 presigned URLs made locally: their shape is checked without AWS. */
class IamAuthTokenTest {

    @Test
    void signsAConnectRequestForTheCacheUserRegionAndServiceWithoutItsScheme() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);
        String token = IamAuthToken.sign("elasticache", "eu-west-1", "orders-eu", "replag-iam",
                AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), clock);
        assertThat(token).startsWith("orders-eu/?")
                .contains("Action=connect").contains("User=replag-iam")
                .contains("X-Amz-Algorithm=AWS4-HMAC-SHA256")
                .contains("X-Amz-Credential=AKIDEXAMPLE%2F20261130%2Feu-west-1%2Felasticache%2Faws4_request")
                .contains("X-Amz-Date=20261130T120000Z")
                .contains("X-Amz-Expires=900")
                .contains("X-Amz-Signature=")
                .doesNotContain("http://").doesNotContain("wJalrXUtnFEMI");
        String memorydb = IamAuthToken.sign("memorydb", "eu-west-1", "orders-eu", "replag-iam",
                AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), clock);
        assertThat(memorydb).contains("%2Fmemorydb%2Faws4_request").isNotEqualTo(token);
    }
}
