package io.replag.agent.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * IAM authentication tokens for ElastiCache and MemoryDB users: a SigV4 presigned
 * {@code GET http://<cache name>/?Action=connect&User=<user>} for service {@code elasticache} or
 * {@code memorydb}, without its scheme, valid for 15 minutes and needed only to open a
 * connection; cached for 10. The SDK has no helper for these (it has one for RDS), so the request
 * is presigned here as AWS documents it. Credentials may block on first use (instance metadata),
 * so signing runs on a worker thread.
 */
final class IamAuthToken {
    private static final Duration VALID = Duration.ofMinutes(15);
    private static final long REUSE_MILLIS = Duration.ofMinutes(10).toMillis();

    private record Cached(String token, long issuedAtMillis) {
    }

    private final Vertx vertx;
    private final String service;
    private final AwsCredentialsProvider credentials;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    IamAuthToken(Vertx vertx, String service) {
        this(vertx, service, DefaultCredentialsProvider.builder().asyncCredentialUpdateEnabled(true).build());
    }

    IamAuthToken(Vertx vertx, String service, AwsCredentialsProvider credentials) {
        this.vertx = vertx;
        this.service = service;
        this.credentials = credentials;
    }

    Future<String> token(String region, String cacheName, String user) {
        String key = region + "/" + cacheName + "/" + user;
        Cached cached = cache.get(key);
        if (cached != null && System.currentTimeMillis() - cached.issuedAtMillis < REUSE_MILLIS) {
            return Future.succeededFuture(cached.token);
        }
        return vertx.executeBlocking(() -> {
            String token = sign(service, region, cacheName, user, credentials.resolveCredentials(), Clock.systemUTC());
            cache.put(key, new Cached(token, System.currentTimeMillis()));
            return token;
        }, false);
    }

    /** The token itself: the presigned request's URL without {@code http://}. */
    static String sign(String service, String region, String cacheName, String user, AwsCredentials identity, Clock clock) {
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.GET).protocol("http").host(cacheName).encodedPath("/")
                .putRawQueryParameter("Action", "connect").putRawQueryParameter("User", user).build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(identity).request(request)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, VALID)
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, clock));
        return signed.request().getUri().toString().replaceFirst("^http://", "");
    }
}
