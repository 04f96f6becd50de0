package io.replag.agent.cloudwatch;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One async CloudWatch client per region, made on first use, sharing the store's HTTP client and credentials. */
public final class CloudWatchClients implements AutoCloseable {
    private final SdkAsyncHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final Map<String, CloudWatchAsyncClient> clients = new ConcurrentHashMap<>();

    public CloudWatchClients(SdkAsyncHttpClient http, AwsCredentialsProvider credentials) {
        this.http = http;
        this.credentials = credentials;
    }

    public CloudWatchAsyncClient in(String region) {
        return clients.computeIfAbsent(region, r -> CloudWatchAsyncClient.builder()
                .region(Region.of(r)).httpClient(http).credentialsProvider(credentials).build());
    }

    @Override
    public void close() {
        clients.values().forEach(CloudWatchAsyncClient::close);
    }
}
