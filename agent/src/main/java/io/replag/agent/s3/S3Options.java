package io.replag.agent.s3;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a replication set reaches its S3 buckets.
 *
 * <p>The canary of each source region is the object {@code prefix + agent + "/" + sourceRegion}
 * in that region's bucket; the replication rules' filter must cover {@code prefix}.
 *
 * @param buckets      region to that region's bucket
 * @param rules        the replication rules to measure, one pair each
 * @param prefix       key prefix of the canary objects
 * @param pathStyle    address buckets by path ({@code endpoint/bucket/key}), for S3-compatible labs
 * @param roleArn      an IAM role to assume for all calls, if any
 * @param nativeFigure read CloudWatch's S3 replication metrics as native figures
 * @param metrics      where the native figures come from; empty: CloudWatch itself (the demo
 *                     passes the lab's figures here)
 * @param credentials  credentials to use instead of the default chain (the demo's lab regions);
 *                     never read from the config file
 */
public record S3Options(Map<String, String> buckets, List<S3Rule> rules, String prefix, boolean pathStyle,
                        Optional<String> roleArn, boolean nativeFigure, Optional<S3ReplicationMetricsSource> metrics,
                        Optional<AwsCredentialsProvider> credentials) implements io.replag.agent.spi.StoreOptions {

    public S3Options {
        buckets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(buckets));
        rules = List.copyOf(rules);
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(roleArn, "roleArn");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(credentials, "credentials");
    }

    /** The canary object's key for one agent and source region. */
    public String objectKey(String agent, String sourceRegion) {
        return prefix + agent + "/" + sourceRegion;
    }

    public String bucket(String region) {
        String bucket = buckets.get(region);
        if (bucket == null) {
            throw new IllegalArgumentException("no S3 bucket for region " + region);
        }
        return bucket;
    }

    public static Builder builder(Map<String, String> buckets, List<S3Rule> rules) {
        return new Builder(buckets, rules);
    }

    public static final class Builder {
        private final Map<String, String> buckets;
        private final List<S3Rule> rules;
        private String prefix = "replag/";
        private boolean pathStyle;
        private Optional<String> roleArn = Optional.empty();
        private boolean nativeFigure = true;
        private Optional<S3ReplicationMetricsSource> metrics = Optional.empty();
        private Optional<AwsCredentialsProvider> credentials = Optional.empty();

        private Builder(Map<String, String> buckets, List<S3Rule> rules) {
            this.buckets = buckets;
            this.rules = rules;
        }

        public Builder prefix(String v) { prefix = v; return this; }
        public Builder pathStyle(boolean v) { pathStyle = v; return this; }
        public Builder roleArn(String v) { roleArn = Optional.ofNullable(v); return this; }
        public Builder nativeFigure(boolean v) { nativeFigure = v; return this; }
        public Builder metrics(S3ReplicationMetricsSource v) { metrics = Optional.ofNullable(v); return this; }
        public Builder credentials(AwsCredentialsProvider v) { credentials = Optional.ofNullable(v); return this; }

        public S3Options build() {
            return new S3Options(buckets, rules, prefix, pathStyle, roleArn, nativeFigure, metrics, credentials);
        }
    }
}
