package io.replag.lab.s3;

import com.google.auto.service.AutoService;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationPair;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.s3.S3Options;
import io.replag.agent.s3.S3Rule;
import io.replag.lab.LabRegions;
import io.replag.lab.LabStore;
import io.replag.lab.LabStoreProvider;
import io.replag.lab.LinkChange;
import io.replag.lab.distance.Geography;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The S3 lab in the demo: set {@code assets}, a bucket per region; the primary and the first
 * replica replicate both ways, the primary also one way to every other replica.
 */
@AutoService(LabStoreProvider.class)
public final class S3LabProvider implements LabStoreProvider {
    public static final String SET = "assets";
    /** Cross-region replication takes seconds, and jitters. */
    public static final long DELAY_MS = 1_000, JITTER_MS = 2_500;

    @Override
    public String store() {
        return "s3";
    }

    /** The demo's bucket in each region. */
    public static Map<String, String> buckets(LabRegions regions) {
        Map<String, String> buckets = new LinkedHashMap<>();
        regions.all().forEach(r -> buckets.put(r, SET + "-" + r));
        return buckets;
    }

    /** Source to its targets: the primary to every replica, the first replica back to the primary. */
    public static Map<String, List<String>> rules(LabRegions regions) {
        Map<String, List<String>> rules = new LinkedHashMap<>();
        rules.put(regions.primary(), regions.replicas());
        if (!regions.replicas().isEmpty()) {
            rules.put(regions.replicas().get(0), List.of(regions.primary()));
        }
        return rules;
    }

    @Override
    public LabStore start(LabRegions regions, Geography geography) throws Exception {
        return S3Lab.start(buckets(regions), rules(regions), geography);
    }

    @Override
    public String setName() {
        return SET;
    }

    @Override
    public ReplicationSet demoSet(LabStore lab, LabRegions regions, Map<String, Endpoint> endpoints, ProbeTiming timing) {
        S3Lab s3 = (S3Lab) lab;
        List<S3Rule> rules = new ArrayList<>();
        for (String source : regions.all()) {
            for (String target : rules(regions).getOrDefault(source, List.of())) {
                rules.add(new S3Rule(source, target, Optional.of("replag-" + target)));
            }
        }
        S3Options options = S3Options.builder(s3.buckets(), rules).pathStyle(true).metrics(new LabS3ReplicationMetrics(s3))
                .credentials(credentials(S3Lab.SECRET_KEY)).build();
        return new ReplicationSet(SET, store(), endpoints, rules.stream().map(r -> new ReplicationPair(r.source(), r.target())).toList(),
                timing, options);
    }

    private static StaticCredentialsProvider credentials(String secret) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Lab.ACCESS_KEY, secret));
    }

    @Override
    public Optional<ReplicationSet> withWrongCredentials(ReplicationSet demo) {
        S3Options o = (S3Options) demo.options();
        return Optional.of(LabStoreProvider.withOptions(demo, S3Options.builder(o.buckets(), o.rules()).pathStyle(true)
                .credentials(credentials("not-the-secret")).build()));
    }

    @Override
    public ReplicationSet withMissingResource(ReplicationSet demo) {
        S3Options o = (S3Options) demo.options();
        Map<String, String> missing = new LinkedHashMap<>();
        o.buckets().keySet().forEach(region -> missing.put(region, "no-such-bucket-" + region));
        return LabStoreProvider.withOptions(demo, S3Options.builder(missing, o.rules()).pathStyle(true)
                .credentials(credentials(S3Lab.SECRET_KEY)).build());
    }

    @Override
    public Optional<LinkChange> awsLikeDelay() {
        return Optional.of(LinkChange.delay(DELAY_MS, JITTER_MS));
    }
}
