package io.replag.agent.sql;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlConnectOptions;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RDS IAM authentication tokens, signed locally with the default AWS credentials chain. A token
 * is valid for 15 minutes and only needed to open a connection; it is cached for 10. Signing may
 * fetch credentials (instance metadata, STS), which blocks, so it runs on a worker thread.
 */
public final class RdsIamToken {
    private static final long REUSE_MILLIS = 10 * 60 * 1000;

    private record Cached(String token, long issuedAtMillis) {
    }

    private final Vertx vertx;
    private final DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public RdsIamToken(Vertx vertx) {
        this.vertx = vertx;
    }

    public Future<String> token(String region, SqlConnectOptions connect) {
        String cacheKey = region + "/" + connect.getHost() + ":" + connect.getPort() + "/" + connect.getUser();
        Cached cached = cache.get(cacheKey);
        if (cached != null && System.currentTimeMillis() - cached.issuedAtMillis < REUSE_MILLIS) {
            return Future.succeededFuture(cached.token);
        }
        return vertx.executeBlocking(() -> {
            RdsUtilities rds = RdsUtilities.builder().region(Region.of(region)).credentialsProvider(credentials).build();
            String token = rds.generateAuthenticationToken(b -> b
                    .hostname(connect.getHost()).port(connect.getPort()).username(connect.getUser()));
            cache.put(cacheKey, new Cached(token, System.currentTimeMillis()));
            return token;
        }, false);
    }
}
