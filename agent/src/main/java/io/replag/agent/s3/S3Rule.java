package io.replag.agent.s3;

import java.util.Objects;
import java.util.Optional;

/**
 * One replication rule as replag measures it: objects written in {@code source}'s bucket are
 * copied to {@code target}'s bucket.
 *
 * @param ruleId the rule's ID in the source bucket's replication configuration; needed only for
 *               CloudWatch's figures, which are published per rule
 */
public record S3Rule(String source, String target, Optional<String> ruleId) {
    public S3Rule {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(ruleId, "ruleId");
    }
}
