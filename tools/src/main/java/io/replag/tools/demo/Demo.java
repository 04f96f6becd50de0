package io.replag.tools.demo;

import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.exporter.config.ReplagConfig;
import io.replag.lab.Lab;
import io.replag.lab.LabRegions;
import io.replag.lab.LabStore;
import io.replag.lab.LabStoreProvider;
import io.replag.lab.LabStores;
import io.replag.lab.LabUnavailable;
import io.replag.lab.LinkState;
import io.replag.lab.distance.Geography;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo: every lab store on the class path ({@link LabStores}) started in the demo's regions,
 * and the configuration that probes them, each set as its lab store supplies it.
 */
public final class Demo {
    public static final LabRegions LAB_REGIONS = LabRegions.DEMO;
    public static final String PRIMARY = LAB_REGIONS.primary();
    public static final List<String> REPLICAS = LAB_REGIONS.replicas();
    public static final List<String> REGIONS = LAB_REGIONS.all();

    private Demo() {
    }

    /** Starts every lab store that can run here, zero distance apart; says in one line why one cannot. */
    public static Lab startLab(PrintStream out) throws Exception {
        return startLab(out, Geography.NONE);
    }

    /**
     * Starts every lab store that can run here, {@code geography} apart; says in one line why one
     * cannot. With a geography, each store's links get the delays its service shows on AWS, on top
     * of distance.
     */
    public static Lab startLab(PrintStream out, Geography geography) throws Exception {
        List<LabStore> stores = new ArrayList<>();
        try {
            for (LabStoreProvider provider : LabStores.all()) {
                try {
                    stores.add(provider.start(LAB_REGIONS, geography));
                } catch (LabUnavailable e) {
                    out.println("replag demo: running without " + provider.store() + ": " + e.getMessage());
                }
            }
            Lab lab = new Lab(stores, geography);
            if (geography.enabled()) {
                awsLikeDelays(lab);
            }
            return lab;
        } catch (Exception e) {
            stores.forEach(LabStore::close);
            throw e;
        }
    }

    private static void awsLikeDelays(Lab lab) throws Exception {
        for (LinkState link : lab.links()) {
            var delay = LabStores.byStore(link.store()).flatMap(LabStoreProvider::awsLikeDelay);
            if (delay.isPresent()) {
                lab.change(link.store(), link.source(), link.target(), delay.get());
            }
        }
    }

    public static Lab startLab() throws Exception {
        return startLab(System.out);
    }

    /** The config a user would write for the lab's regions. */
    public static ReplagConfig config(Lab lab, String host, int port, ProbeTiming timing) {
        return config(lab, host, port, timing, null);
    }

    /**
     * One config per lab region, each for the agent at home there in per-region mode (it reaches the
     * endpoints across the distance from its own region; the agents share one machine's clock, so each
     * declares a bound of 1 ms).
     */
    public static List<ReplagConfig> perRegionAgents(Lab lab, String host, int port, ProbeTiming timing) {
        return perRegionAgents(lab, host, port, timing, "replag-demo");
    }

    /** As {@link #perRegionAgents(Lab, String, int, ProbeTiming)}, the agents named {@code name} (their canaries' keys). */
    public static List<ReplagConfig> perRegionAgents(Lab lab, String host, int port, ProbeTiming timing, String name) {
        List<ReplagConfig> agents = new ArrayList<>();
        for (String region : REGIONS) {
            ReplagConfig c = config(lab, host, port, timing, region);
            agents.add(new ReplagConfig(name, c.listenHost(), c.listenPort(), c.sets(), c.regionHealth(),
                    new io.replag.exporter.config.AgentOptions(java.util.Optional.of(region), java.time.Duration.ofMillis(1), false)));
        }
        return agents;
    }

    /** As {@link #config(Lab, String, int, ProbeTiming)}, for an agent at home in {@code home} (null: the lab's own home). */
    private static ReplagConfig config(Lab lab, String host, int port, ProbeTiming timing, String home) {
        List<ReplicationSet> sets = new ArrayList<>();
        for (LabStore store : lab.stores()) {
            LabStoreProvider provider = LabStores.byStore(store.store())
                    .orElseThrow(() -> new IllegalStateException("no lab provider for store " + store.store()));
            Map<String, Endpoint> endpoints = new LinkedHashMap<>();
            for (String region : REGIONS) {
                Integer p = ports(lab, store.store(), home).get(region);
                if (p != null) {
                    endpoints.put(region, new Endpoint("127.0.0.1", p));
                }
            }
            sets.add(provider.demoSet(store, LAB_REGIONS, endpoints, timing));
        }
        return new ReplagConfig("replag-demo", host, port, sets);
    }

    private static Map<String, Integer> ports(Lab lab, String store, String home) {
        return home == null ? lab.ports(store) : lab.ports(store, home);
    }
}
