package io.replag.agent.redis;

import io.replag.agent.config.Secret;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a replication set reaches its Redis or Valkey endpoints: an ElastiCache Global Datastore
 * (a primary and read-only secondaries), a MemoryDB Multi-Region cluster (a writer in every
 * region), or self-managed servers linked with {@code REPLICAOF}.
 *
 * <p>The canary is one hash per (agent, source region): {@code keyPrefix + "{" + hashTag + "}:" +
 * agent + ":" + source}. The braces make every canary key hash to one cluster slot, so one node
 * serves them all and one ACL key pattern ({@code ~<prefix>*}) covers them.
 *
 * @param keyPrefix       prefix of every canary key
 * @param hashTag         the cluster hash tag the canary keys share
 * @param ttl             how long after its last write a canary key expires (a retired agent's keys go away)
 * @param user            the ACL user, if any (ElastiCache RBAC, MemoryDB ACL, Redis 6+ ACL); empty: {@code default}
 * @param password        the password or AUTH token, from {@code ${ENV}} or a file; empty with IAM auth or none
 * @param iamAuth         sign an IAM authentication token per connection (ElastiCache and MemoryDB users with IAM auth)
 * @param iamCacheName    the replication group (ElastiCache) or cluster (MemoryDB) name the IAM token is for, per region
 * @param iamService      {@code elasticache} or {@code memorydb}: the service that signs the IAM token
 * @param tls             TLS mode and trust
 * @param cluster         the endpoints are cluster-mode configuration endpoints
 * @param serverClock     time canaries with the servers' {@code TIME} ({@code clock: server}, the default outside cluster mode)
 * @param serverClockError the bound of each server's clock error, added on both sides of every server reading
 * @param info            read {@code INFO replication} on both ends of a primary/replica pair for
 *                        {@code master_link_status} and the replication offset difference
 * @param cloudWatch      CloudWatch figures to read per pair
 * @param cloudWatchSource where the CloudWatch figures come from; empty: CloudWatch itself (the demo passes the lab's)
 * @param scriptVariant   a comment in the write script, changing its SHA: the conformance kit's script that
 *                        no server has loaded (never set from the config file)
 */
public record RedisOptions(String keyPrefix, String hashTag, Duration ttl, Optional<String> user, Optional<Secret> password,
                           boolean iamAuth, java.util.Map<String, String> iamCacheName, String iamService,
                           Tls tls, boolean cluster, boolean serverClock, Duration serverClockError, boolean info,
                           List<CloudWatchFigure> cloudWatch, Optional<RedisLagSource> cloudWatchSource,
                           String scriptVariant) implements io.replag.agent.spi.StoreOptions {

    public static final Duration DEFAULT_SERVER_CLOCK_ERROR = Duration.ofMillis(1);

    public RedisOptions {
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(hashTag, "hashTag");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        iamCacheName = java.util.Map.copyOf(iamCacheName);
        Objects.requireNonNull(iamService, "iamService");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(serverClockError, "serverClockError");
        cloudWatch = List.copyOf(cloudWatch);
        Objects.requireNonNull(cloudWatchSource, "cloudWatchSource");
        Objects.requireNonNull(scriptVariant, "scriptVariant");
    }

    /** The canary key of (agent, source region). */
    public String key(io.replag.agent.spi.CanaryKey key) {
        return slotKey(key.agent() + ":" + key.sourceRegion());
    }

    /** A key under the prefix in the canaries' hash slot: a cluster client sends a command on it to the shard that holds them. */
    public String slotKey(String name) {
        return keyPrefix + "{" + hashTag + "}:" + name;
    }

    public long serverClockErrorMicros() {
        return serverClockError.toNanos() / 1_000;
    }

    /**
     * TLS: {@code disable}, {@code require} (encrypt, trust any certificate), {@code verify-full}
     * (the certificate's chain and host name; ElastiCache's certificates chain to public roots).
     */
    public record Tls(String mode, Optional<String> caFile) {
        public static final Tls DISABLED = new Tls("disable", Optional.empty());

        public boolean enabled() {
            return !mode.equals("disable");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.keyPrefix = keyPrefix;
        b.hashTag = hashTag;
        b.ttl = ttl;
        b.user = user;
        b.password = password;
        b.iamAuth = iamAuth;
        b.iamCacheName = iamCacheName;
        b.iamService = iamService;
        b.tls = tls;
        b.cluster = cluster;
        b.serverClock = serverClock;
        b.serverClockError = serverClockError;
        b.info = info;
        b.cloudWatch = cloudWatch;
        b.cloudWatchSource = cloudWatchSource;
        b.scriptVariant = scriptVariant;
        return b;
    }

    public static final class Builder {
        private String keyPrefix = "replag:";
        private String hashTag = "replag";
        private Duration ttl = Duration.ofDays(1);
        private Optional<String> user = Optional.empty();
        private Optional<Secret> password = Optional.empty();
        private boolean iamAuth;
        private java.util.Map<String, String> iamCacheName = java.util.Map.of();
        private String iamService = "elasticache";
        private Tls tls = Tls.DISABLED;
        private boolean cluster;
        private boolean serverClock = true;
        private Duration serverClockError = DEFAULT_SERVER_CLOCK_ERROR;
        private boolean info = true;
        private List<CloudWatchFigure> cloudWatch = List.of();
        private Optional<RedisLagSource> cloudWatchSource = Optional.empty();
        private String scriptVariant = "";

        public Builder keyPrefix(String v) { keyPrefix = v; return this; }
        public Builder hashTag(String v) { hashTag = v; return this; }
        public Builder ttl(Duration v) { ttl = v; return this; }
        public Builder user(String v) { user = Optional.ofNullable(v); return this; }
        public Builder password(Secret v) { password = Optional.ofNullable(v); return this; }
        public Builder iamAuth(boolean v) { iamAuth = v; return this; }
        public Builder iamCacheName(java.util.Map<String, String> v) { iamCacheName = v; return this; }
        public Builder iamService(String v) { iamService = v; return this; }
        public Builder tls(Tls v) { tls = v; return this; }
        public Builder cluster(boolean v) { cluster = v; return this; }
        public Builder serverClock(boolean v) { serverClock = v; return this; }
        public Builder serverClockError(Duration v) { serverClockError = v; return this; }
        public Builder info(boolean v) { info = v; return this; }
        public Builder cloudWatch(List<CloudWatchFigure> v) { cloudWatch = v; return this; }
        public Builder cloudWatchSource(RedisLagSource v) { cloudWatchSource = Optional.ofNullable(v); return this; }
        public Builder scriptVariant(String v) { scriptVariant = v; return this; }

        public RedisOptions build() {
            return new RedisOptions(keyPrefix, hashTag, ttl, user, password, iamAuth, iamCacheName, iamService, tls, cluster,
                    serverClock, serverClockError, info, cloudWatch, cloudWatchSource, scriptVariant);
        }
    }
}
