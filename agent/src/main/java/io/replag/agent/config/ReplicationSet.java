package io.replag.agent.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One logical replicated resource: a global table, a ring of buckets, a primary with its replicas.
 *
 * @param name      the config name, exported as the {@code resource} label
 * @param store     the store key ({@code postgres}, ...)
 * @param endpoints region name to that region's endpoint, in configuration order
 * @param pairs     the directions measured: primary to each replica for single-writer sets,
 *                  every ordered pair for multi-writer sets
 * @param timing    probe timing
 * @param options   store-specific options, parsed by the store's provider; null for a store without any (tests' in-memory store)
 * @param burstAllowed {@code burst: {allowed: true}}: {@code replag burst} may write its records here (docs/burst.md)
 */
public record ReplicationSet(String name, String store, Map<String, Endpoint> endpoints,
                             List<ReplicationPair> pairs, ProbeTiming timing, io.replag.agent.spi.StoreOptions options,
                             boolean burstAllowed) {

    public ReplicationSet {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(store, "store");
        endpoints = Map.copyOf(new LinkedHashMap<>(endpoints));
        pairs = List.copyOf(pairs);
        Objects.requireNonNull(timing, "timing");
    }

    /** A set that {@code replag burst} may not write to. */
    public ReplicationSet(String name, String store, Map<String, Endpoint> endpoints, List<ReplicationPair> pairs, ProbeTiming timing,
                          io.replag.agent.spi.StoreOptions options) {
        this(name, store, endpoints, pairs, timing, options, false);
    }

    /** This set, with {@code replag burst} allowed (the lab's sets). */
    public ReplicationSet withBurstAllowed() {
        return new ReplicationSet(name, store, endpoints, pairs, timing, options, true);
    }

    /** The regions {@code source} replicates to, in pair order. */
    public List<String> targetsOf(String source) {
        return pairs.stream().filter(p -> p.source().equals(source)).map(ReplicationPair::target).toList();
    }

    /** Regions that write canaries, in a stable order. */
    public List<String> sourceRegions() {
        Set<String> sources = new LinkedHashSet<>();
        pairs.forEach(p -> sources.add(p.source()));
        return new ArrayList<>(sources);
    }

    /** Primary to each replica, the shape of single-writer sets. */
    public static List<ReplicationPair> singleWriter(String primary, List<String> replicas) {
        return replicas.stream().map(r -> new ReplicationPair(primary, r)).toList();
    }

    /** Every ordered pair, N*(N-1), the shape of multi-writer sets. */
    public static List<ReplicationPair> multiWriter(List<String> regions) {
        List<ReplicationPair> pairs = new ArrayList<>();
        for (String source : regions) {
            for (String target : regions) {
                if (!source.equals(target)) {
                    pairs.add(new ReplicationPair(source, target));
                }
            }
        }
        return pairs;
    }
}
