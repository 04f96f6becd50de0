package io.replag.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * The regions a lab runs: single-writer stores put their primary in {@code primary} and a replica
 * in each of {@code replicas}; multi-writer stores write in all of them.
 */
public record LabRegions(String primary, List<String> replicas) {
    /** The demo's regions: one per continent, as far apart as AWS regions get. */
    public static final LabRegions DEMO = new LabRegions("us-east-1", List.of("eu-west-1", "ap-southeast-2"));

    public LabRegions {
        replicas = List.copyOf(replicas);
    }

    /** The primary, then the replicas. */
    public List<String> all() {
        List<String> all = new ArrayList<>();
        all.add(primary);
        all.addAll(replicas);
        return List.copyOf(all);
    }
}
