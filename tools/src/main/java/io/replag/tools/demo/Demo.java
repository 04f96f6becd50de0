package io.replag.tools.demo;

import io.replag.agent.config.Endpoint;
import io.replag.agent.config.Secret;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.dynamodb.DynamoDbOptions;
import io.replag.agent.sql.SqlOptions;
import io.replag.agent.s3.S3Options;
import io.replag.agent.s3.S3Rule;
import io.replag.exporter.config.ReplagConfig;
import io.replag.lab.Lab;
import io.replag.lab.LabStore;
import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;
import io.replag.lab.distance.Geography;
import io.replag.lab.dynamodb.DynamoLab;
import io.replag.lab.postgres.PostgresLab;
import io.replag.lab.s3.S3Lab;
import io.replag.lab.mysql.MariaDbLab;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The demo: lab regions on this machine, and the configuration that probes them. */
public final class Demo {
    public static final String PRIMARY = "us-east-1";
    public static final List<String> REPLICAS = List.of("eu-west-1", "ap-southeast-2");
    public static final List<String> REGIONS = List.of("us-east-1", "eu-west-1", "ap-southeast-2");
    public static final String DYNAMO_TABLE = "sessions";
    public static final String S3_SET = "assets";
    public static final String MYSQL_SET = "inventory";
    /** The demo's S3 rules: us-east-1 and eu-west-1 replicate both ways, us-east-1 also one way to ap-southeast-2. */
    public static final Map<String, List<String>> S3_RULES = Map.of(
            "us-east-1", List.of("eu-west-1", "ap-southeast-2"),
            "eu-west-1", List.of("us-east-1"));

    private Demo() {
    }

    /** The demo's replication delays where the lab has a geography: DynamoDB and S3 as AWS shows them, on top of distance. */
    public static final long DYNAMO_DELAY_MS = 500, DYNAMO_JITTER_MS = 2_000, S3_DELAY_MS = 1_000, S3_JITTER_MS = 2_500;

    /** Starts every lab store that can run here, zero distance apart; says in one line why one cannot. */
    public static Lab startLab(PrintStream out) throws Exception {
        return startLab(out, Geography.NONE);
    }

    /**
     * Starts every lab store that can run here, {@code geography} apart; says in one line why one
     * cannot. With a geography, DynamoDB and S3 links get AWS-like delays with jitter (the SQL
     * replicas' delay is their distance from the primary).
     */
    public static Lab startLab(PrintStream out, Geography geography) throws Exception {
        List<LabStore> stores = new ArrayList<>();
        stores.add(PostgresLab.start(PRIMARY, REPLICAS, geography));
        try {
            stores.add(MariaDbLab.start(PRIMARY, REPLICAS, geography));
        } catch (MariaDbLab.Unavailable e) {
            out.println("replag demo: running without MySQL: " + e.getMessage());
        } catch (Exception e) {
            stores.forEach(LabStore::close);
            throw e;
        }
        try {
            stores.add(DynamoLab.start(REGIONS, DYNAMO_TABLE, "pk", geography));
        } catch (DynamoLab.Unavailable e) {
            out.println("replag demo: running without DynamoDB: " + e.getMessage());
        } catch (Exception e) {
            stores.forEach(LabStore::close);
            throw e;
        }
        try {
            stores.add(S3Lab.start(s3Buckets(), S3_RULES, geography));
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

    /** DynamoDB global tables typically replicate in 0.5 to 2.5 s; S3 in seconds. Both jitter. */
    private static void awsLikeDelays(Lab lab) throws Exception {
        for (LinkState link : lab.links()) {
            switch (link.store()) {
                case "dynamodb" -> lab.change("dynamodb", link.source(), link.target(), LinkChange.delay(DYNAMO_DELAY_MS, DYNAMO_JITTER_MS));
                case "s3" -> lab.change("s3", link.source(), link.target(), LinkChange.delay(S3_DELAY_MS, S3_JITTER_MS));
                default -> { }
            }
        }
    }

    /** The demo's bucket in each region. */
    public static Map<String, String> s3Buckets() {
        Map<String, String> buckets = new LinkedHashMap<>();
        REGIONS.forEach(r -> buckets.put(r, "assets-" + r));
        return buckets;
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
        lab.stores().stream().filter(s -> s instanceof PostgresLab).map(s -> (PostgresLab) s).findFirst().ifPresent(pg -> {
            Map<String, Endpoint> endpoints = new LinkedHashMap<>();
            ports(lab, pg.store(), home).forEach((region, p) -> endpoints.put(region, new Endpoint("127.0.0.1", p)));
            sets.add(new ReplicationSet("orders", "postgres", endpoints,
                    ReplicationSet.singleWriter(PRIMARY, REPLICAS), timing,
                    SqlOptions.builder().database("postgres").user("postgres").build()));
        });
        lab.stores().stream().filter(s -> s instanceof MariaDbLab).map(s -> (MariaDbLab) s).findFirst().ifPresent(mysql -> {
            Map<String, Endpoint> endpoints = new LinkedHashMap<>();
            ports(lab, mysql.store(), home).forEach((region, p) -> endpoints.put(region, new Endpoint("127.0.0.1", p)));
            sets.add(new ReplicationSet(MYSQL_SET, "mysql", endpoints, ReplicationSet.singleWriter(PRIMARY, REPLICAS), timing,
                    SqlOptions.builder().database(MariaDbLab.DATABASE).user(MariaDbLab.USER)
                            .password(Secret.of(MariaDbLab.PASSWORD)).build()));
        });
        lab.stores().stream().filter(s -> s instanceof DynamoLab).map(s -> (DynamoLab) s).findFirst().ifPresent(dynamo -> {
            Map<String, Endpoint> dynamoEndpoints = new LinkedHashMap<>();
            for (String region : REGIONS) {
                dynamoEndpoints.put(region, new Endpoint("127.0.0.1", ports(lab, dynamo.store(), home).get(region)));
            }
            sets.add(new ReplicationSet(DYNAMO_TABLE, "dynamodb", dynamoEndpoints, ReplicationSet.multiWriter(REGIONS), timing,
                    DynamoDbOptions.builder(DYNAMO_TABLE).partitionKey("pk").cloudWatch(new LabReplicationLatency(dynamo))
                            .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("lab", "lab"))).build()));
        });
        lab.stores().stream().filter(s -> s instanceof S3Lab).map(s -> (S3Lab) s).findFirst().ifPresent(s3 -> {
            Map<String, Endpoint> endpoints = new LinkedHashMap<>();
            ports(lab, s3.store(), home).forEach((region, p) -> endpoints.put(region, new Endpoint("127.0.0.1", p)));
            List<S3Rule> rules = new ArrayList<>();
            for (String source : REGIONS) {
                for (String target : S3_RULES.getOrDefault(source, List.of())) {
                    rules.add(new S3Rule(source, target, java.util.Optional.of("replag-" + target)));
                }
            }
            S3Options options = S3Options.builder(s3.buckets(), rules).pathStyle(true).metrics(new LabS3ReplicationMetrics(s3))
                    .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Lab.ACCESS_KEY, S3Lab.SECRET_KEY)))
                    .build();
            sets.add(new ReplicationSet(S3_SET, "s3", endpoints,
                    rules.stream().map(r -> new io.replag.agent.config.ReplicationPair(r.source(), r.target())).toList(),
                    timing, options));
        });
        return new ReplagConfig("replag-demo", host, port, sets);
    }

    private static Map<String, Integer> ports(Lab lab, String store, String home) {
        return home == null ? lab.ports(store) : lab.ports(store, home);
    }
}
