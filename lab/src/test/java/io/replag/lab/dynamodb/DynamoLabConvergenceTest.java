package io.replag.lab.dynamodb;

import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #17's case: every link at 500 ms, us-east-1 writes A, eu-west-1 writes B 100 ms later,
 * each straight into its region. A global table resolves it by last writer wins, and so must the
 * lab: every region ends with B. (Before, copies applied in arrival order: eu-west-1 kept A.)
 */
class DynamoLabConvergenceTest {
    static final List<String> REGIONS = List.of("us-east-1", "eu-west-1", "ap-southeast-2");

    @Test
    void twoRegionsWritingOneKeyAtNearlyTheSameMomentConvergeOnTheLaterWrite() throws Exception {
        DynamoLab lab;
        try {
            lab = DynamoLab.start(REGIONS, "sessions", "pk");
        } catch (DynamoLab.Unavailable e) {
            System.out.println("DynamoLabConvergenceTest skipped: " + e.getMessage());
            Assumptions.abort(e.getMessage());
            return;
        }
        Map<String, DynamoDbClient> clients = new LinkedHashMap<>();
        try {
            for (LinkState link : lab.links()) {
                lab.change(link.source(), link.target(), LinkChange.delay(500, 0));
            }
            lab.ports().forEach((region, port) -> clients.put(region, DynamoDbClient.builder().region(Region.US_EAST_1)
                    .endpointOverride(URI.create("http://127.0.0.1:" + port))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("lab", "lab")))
                    .httpClientBuilder(UrlConnectionHttpClient.builder()).build()));
            write(clients.get("us-east-1"), "A");
            // the scenario's own timing, not a wait for a result: B is written 100 ms after A
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            write(clients.get("eu-west-1"), "B");

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Map<String, String> held = values(clients);
            while (!(held.values().stream().allMatch("B"::equals)) && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                held = values(clients);
            }
            System.out.println("values after the conflict: " + held);
            assertThat(held).as("every region holds the later write").containsOnly(
                    Map.entry("us-east-1", "B"), Map.entry("eu-west-1", "B"), Map.entry("ap-southeast-2", "B"));
            // and stays so once every copy in flight has been applied or dropped (the links' delay is 500 ms)
            long settled = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
            while (System.nanoTime() < settled) {
                assertThat(values(clients)).as("no late copy undoes it").containsOnly(
                        Map.entry("us-east-1", "B"), Map.entry("eu-west-1", "B"), Map.entry("ap-southeast-2", "B"));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        } finally {
            clients.values().forEach(DynamoDbClient::close);
            lab.close();
        }
    }

    static void write(DynamoDbClient client, String value) {
        client.putItem(b -> b.tableName("sessions").item(Map.of("pk", AttributeValue.fromS("conflict"), "v", AttributeValue.fromS(value))));
    }

    static Map<String, String> values(Map<String, DynamoDbClient> clients) {
        Map<String, String> out = new LinkedHashMap<>();
        clients.forEach((region, c) -> {
            var item = c.getItem(b -> b.tableName("sessions").key(Map.of("pk", AttributeValue.fromS("conflict"))).consistentRead(true)).item();
            out.put(region, item == null || item.isEmpty() ? "(none)" : Objects.toString(item.get("v").s()));
        });
        return out;
    }
}
