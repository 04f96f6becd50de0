package io.replag.lab.s3;

import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;
import org.jclouds.blobstore.domain.Blob;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #17's case on two-way S3 replication: every rule at 500 ms, us-east-1 writes A, eu-west-1
 * writes B 100 ms later, each into its own bucket. Each bucket keeps the newest version as current,
 * so every bucket ends with B. (Before, copies overwrote in arrival order: eu-west-1 kept A.)
 */
class S3LabConvergenceTest {
    static final String US = "us-east-1", EU = "eu-west-1", AP = "ap-southeast-2";

    @Test
    void twoBucketsWritingOneKeyAtNearlyTheSameMomentConvergeOnTheLaterWrite() throws Exception {
        Map<String, String> buckets = new LinkedHashMap<>();
        for (String region : List.of(US, EU, AP)) {
            buckets.put(region, "assets-" + region);
        }
        // every bucket replicates to every other, as in a set with a writer in every region
        Map<String, List<String>> rules = Map.of(US, List.of(EU, AP), EU, List.of(US, AP), AP, List.of(US, EU));
        S3Lab lab = S3Lab.start(buckets, rules);
        Map<String, S3Client> clients = new LinkedHashMap<>();
        try {
            for (LinkState link : lab.links()) {
                lab.change(link.source(), link.target(), LinkChange.delay(500, 0));
            }
            lab.ports().forEach((region, port) -> clients.put(region, S3Client.builder().region(Region.US_EAST_1)
                    .endpointOverride(URI.create("http://127.0.0.1:" + port)).forcePathStyle(true)
                    // s3proxy checks the payload hash, not the SDK's newer checksums (as replag's S3 store sets it)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Lab.ACCESS_KEY, S3Lab.SECRET_KEY)))
                    .httpClientBuilder(UrlConnectionHttpClient.builder()).build()));
            write(clients.get(US), buckets.get(US), "A");
            // the scenario's own timing, not a wait for a result: B is written 100 ms after A
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            write(clients.get(EU), buckets.get(EU), "B");

            Map<String, String> everywhereB = Map.of(US, "B", EU, "B", AP, "B");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Map<String, String> held = values(lab);
            while (!held.equals(everywhereB) && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                held = values(lab);
            }
            System.out.println("values after the conflict: " + held);
            assertThat(held).as("every bucket holds the later write").isEqualTo(everywhereB);
            // and stays so once every copy in flight has been applied (the rules' delay is 500 ms)
            long settled = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
            while (System.nanoTime() < settled) {
                assertThat(values(lab)).as("no late copy undoes it").isEqualTo(everywhereB);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        } finally {
            clients.values().forEach(S3Client::close);
            lab.close();
        }
    }

    static void write(S3Client client, String bucket, String value) {
        client.putObject(b -> b.bucket(bucket).key("conflict"), RequestBody.fromString(value));
    }

    /** What each bucket holds, read past the fault proxy (reads are not what is tested). */
    static Map<String, String> values(S3Lab lab) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : lab.buckets().entrySet()) {
            Blob blob = lab.blobStore(e.getKey()).getBlob(e.getValue(), "conflict");
            if (blob == null) {
                out.put(e.getKey(), "(none)");
                continue;
            }
            try (InputStream in = blob.getPayload().openStream()) {
                out.put(e.getKey(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
