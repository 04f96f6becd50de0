package io.replag.exporter.cli;

import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.postgres.PostgresOptions;
import io.replag.exporter.config.ReplagConfig;
import io.replag.lab.Lab;
import io.replag.lab.LabStore;
import io.replag.lab.postgres.PostgresLab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The demo: lab regions on this machine, and the configuration that probes them. */
public final class Demo {
    public static final String PRIMARY = "us-east-1";
    public static final List<String> REPLICAS = List.of("eu-west-1", "ap-southeast-2");

    private Demo() {
    }

    /** Starts every lab store that can run here. */
    public static Lab startLab() throws Exception {
        List<LabStore> stores = new ArrayList<>();
        stores.add(PostgresLab.start(PRIMARY, REPLICAS));
        return new Lab(stores);
    }

    /** The config a user would write for the lab's regions. */
    public static ReplagConfig config(Lab lab, String host, int port, ProbeTiming timing) {
        List<ReplicationSet> sets = new ArrayList<>();
        PostgresLab pg = (PostgresLab) lab.store("postgres");
        Map<String, Endpoint> endpoints = new LinkedHashMap<>();
        pg.ports().forEach((region, p) -> endpoints.put(region, new Endpoint("127.0.0.1", p)));
        sets.add(new ReplicationSet("orders", "postgres", endpoints,
                ReplicationSet.singleWriter(PRIMARY, REPLICAS), timing,
                PostgresOptions.builder().database("postgres").user("postgres").build()));
        return new ReplagConfig("replag-demo", host, port, sets);
    }
}
