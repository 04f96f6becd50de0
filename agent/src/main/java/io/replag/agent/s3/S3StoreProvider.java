package io.replag.agent.s3;

import com.google.auto.service.AutoService;
import io.replag.agent.s3.S3Options;
import io.replag.agent.config.ConfigNode;
import io.replag.agent.config.ReplicationPair;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.StoreProvider;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code s3} store: config section {@code s3:} of a set listed under {@code regions}. Pairs
 * follow the replication rules ({@code replication: two-way}, {@code ring}, or a list of
 * {@code rules}), not every ordered pair: S3 replicates only what a rule says, and never a replica
 * onwards.
 */
@AutoService(StoreProvider.class)
public final class S3StoreProvider implements StoreProvider<S3Options> {
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern RULE_ID = Pattern.compile(".{1,255}");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9!_.*'()/-]{0,200}");
    private static final Pattern ROLE = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+");

    @Override
    public String key() {
        return "s3";
    }

    @Override
    public Class<S3Options> optionsType() {
        return S3Options.class;
    }

    @Override
    public java.util.Set<io.replag.agent.spi.Topology> topologies() {
        return java.util.Set.of(io.replag.agent.spi.Topology.EVERY_PAIR);
    }

    @Override
    public boolean endpointRequired() {
        return false;
    }

    /** S3 Replication Time Control's promise: 99.99% of objects within 15 minutes; most take seconds to minutes. */
    @Override
    public java.time.Duration defaultDeadline() {
        return java.time.Duration.ofMinutes(15);
    }

    /** Seconds to minutes is healthy for CRR: a warning at 5 minutes, critical at RTC's 15. */
    @Override
    public io.replag.agent.config.LagThreshold lagThreshold() {
        return io.replag.agent.config.LagThreshold.of(java.time.Duration.ofMinutes(5), java.time.Duration.ofMinutes(15));
    }

    @Override
    public S3Options parseOptions(ConfigNode node, List<String> regions) {
        if (!node.isPresent()) {
            node.error("is required: at least the bucket of each region and the replication rules");
            return null;
        }
        Map<String, String> buckets = buckets(node.get("buckets"), regions);
        List<S3Rule> rules = rules(node, regions);
        var b = S3Options.builder(buckets, rules);
        node.get("prefix").matching(PREFIX, "an S3 key prefix such as replag/").ifPresent(b::prefix);
        node.get("path_style").bool().ifPresent(b::pathStyle);
        node.get("role_arn").matching(ROLE, "an IAM role ARN such as arn:aws:iam::123456789012:role/replag").ifPresent(b::roleArn);
        node.get("native_figure").bool().ifPresent(b::nativeFigure);
        node.finish();
        return b.build();
    }

    private static Map<String, String> buckets(ConfigNode node, List<String> regions) {
        Map<String, String> buckets = new LinkedHashMap<>();
        if (!node.isPresent()) {
            node.error("is required: the bucket of each region, e.g. {us-east-1: assets-use1, eu-west-1: assets-euw1}");
            return buckets;
        }
        for (String region : node.keys()) {
            ConfigNode bucket = node.get(region);
            if (!regions.isEmpty() && !regions.contains(region)) {
                bucket.error("region \"" + region + "\" is not one of the set's regions (" + String.join(", ", regions) + ")");
                continue;
            }
            bucket.matching(BUCKET, "an S3 bucket name (3-63 of a-z 0-9 . -)").ifPresent(name -> buckets.put(region, name));
        }
        for (String region : regions) {
            if (!node.keys().contains(region)) {
                node.error("has no bucket for region \"" + region + "\"");
            }
        }
        return buckets;
    }

    private static List<S3Rule> rules(ConfigNode node, List<String> regions) {
        ConfigNode replication = node.get("replication");
        ConfigNode rulesNode = node.get("rules");
        Optional<String> ruleId = node.get("rule_id").matching(RULE_ID, "a replication rule ID");
        if (replication.isPresent() == rulesNode.isPresent()) {
            node.error("needs exactly one of replication (two-way or ring) and rules (a list of {source, target, rule_id})");
            return List.of();
        }
        List<S3Rule> rules = new ArrayList<>();
        if (replication.isPresent()) {
            Optional<String> shape = replication.string();
            if (shape.isEmpty()) {
                return rules;
            }
            switch (shape.get()) {
                case "two-way" -> ReplicationSet.multiWriter(regions).forEach(p -> rules.add(new S3Rule(p.source(), p.target(), ruleId)));
                case "ring" -> {
                    for (int i = 0; i < regions.size() && regions.size() > 1; i++) {
                        rules.add(new S3Rule(regions.get(i), regions.get((i + 1) % regions.size()), ruleId));
                    }
                }
                default -> replication.error("must be two-way or ring (or list rules instead), found \"" + shape.get() + "\"");
            }
            return rules;
        }
        Set<ReplicationPair> seen = new HashSet<>();
        for (ConfigNode r : rulesNode.elements()) {
            if (!r.isMap()) {
                continue;
            }
            Optional<String> source = region(r.get("source"), regions);
            Optional<String> target = region(r.get("target"), regions);
            Optional<String> id = r.get("rule_id").matching(RULE_ID, "a replication rule ID").or(() -> ruleId);
            r.finish();
            if (source.isPresent() && target.isPresent()) {
                if (source.get().equals(target.get())) {
                    r.error("source and target are the same region \"" + source.get() + "\"");
                } else if (!seen.add(new ReplicationPair(source.get(), target.get()))) {
                    r.error("a second rule " + source.get() + " -> " + target.get() + ": each direction is measured once");
                } else {
                    rules.add(new S3Rule(source.get(), target.get(), id));
                }
            }
        }
        if (rulesNode.elements().isEmpty()) {
            rulesNode.error("must list at least one rule {source, target}");
        }
        return rules;
    }

    private static Optional<String> region(ConfigNode node, List<String> regions) {
        return node.requiredString().filter(r -> {
            if (regions.isEmpty() || regions.contains(r)) {
                return true;
            }
            node.error("region \"" + r + "\" is not one of the set's regions (" + String.join(", ", regions) + ")");
            return false;
        });
    }

    @Override
    public Optional<List<ReplicationPair>> pairs(S3Options options) {
        return Optional.of(options.rules().stream().map(r -> new ReplicationPair(r.source(), r.target())).toList());
    }

    /** PutObject is unconditional: a reordered write can land late (see {@link StoreProvider#seqNeverGoesBack()}). */
    @Override
    public boolean seqNeverGoesBack() {
        return false;
    }

    @Override
    public CanaryStore create(Vertx vertx, ReplicationSet set, S3Options options) {
        return new S3CanaryStore(vertx, set, options);
    }
}
