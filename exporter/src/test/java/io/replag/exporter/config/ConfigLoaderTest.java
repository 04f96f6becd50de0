package io.replag.exporter.config;

import io.replag.agent.config.Endpoint;
import io.replag.agent.config.InvalidConfigException;
import io.replag.agent.config.ReplicationPair;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.sql.SqlOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    final ConfigLoader loader = new ConfigLoader(Map.of("PG_PASSWORD", "s3cr3t-value", "HOST_EU", "eu.example.com")::get);

    static final String VALID = """
            agent: replag-prod-1
            server:
              listen: 127.0.0.1:9500
            defaults:
              interval: 2s
              deadline: 2m
              poll: {first: 5ms, factor: 2, max: 500ms}
            replication_sets:
              - name: orders
                store: postgres
                interval: 500ms
                primary: {region: us-east-1, endpoint: "db.us.example.com:5432"}
                replicas:
                  - {region: eu-west-1, endpoint: "${HOST_EU}:5433"}
                  - {region: ap-southeast-2, endpoint: "db.ap.example.com:5432"}
                postgres:
                  database: app
                  user: replag
                  password: ${PG_PASSWORD}
                  tls: {mode: verify-full}
                  table: monitoring.replag_canary
            """;

    List<String> errors(String yaml) {
        try {
            loader.parse("test.yaml", yaml);
        } catch (InvalidConfigException e) {
            assertThat(e.getMessage()).doesNotContain("s3cr3t-value");
            return e.errors();
        }
        throw new AssertionError("expected the config to be refused");
    }

    @Test
    void readsAFullConfig() throws Exception {
        ReplagConfig c = loader.parse("test.yaml", VALID);
        assertThat(c.agent()).isEqualTo("replag-prod-1");
        assertThat(c.listenHost()).isEqualTo("127.0.0.1");
        assertThat(c.listenPort()).isEqualTo(9500);
        ReplicationSet set = c.sets().get(0);
        assertThat(set.pairs()).containsExactly(new ReplicationPair("us-east-1", "eu-west-1"),
                new ReplicationPair("us-east-1", "ap-southeast-2"));
        assertThat(set.endpoints()).containsEntry("eu-west-1", new Endpoint("eu.example.com", 5433));
        assertThat(set.timing().interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(set.timing().deadline()).as("from defaults").isEqualTo(Duration.ofMinutes(2));
        assertThat(set.timing().poll().first()).isEqualTo(Duration.ofMillis(5));
        SqlOptions pg = (SqlOptions) set.options();
        assertThat(pg.password().orElseThrow().reveal()).isEqualTo("s3cr3t-value");
        assertThat(pg.toString()).doesNotContain("s3cr3t-value");
        assertThat(pg.table()).isEqualTo("monitoring.replag_canary");
        assertThat(pg.tls().mode()).isEqualTo("verify-full");
    }

    @Test
    void sqlClockDefaultsToTheServersAndItsBoundIsChecked() throws Exception {
        SqlOptions byDefault = (SqlOptions) loader.parse("test.yaml", VALID).sets().get(0).options();
        assertThat(byDefault.serverClock()).isTrue();
        assertThat(byDefault.serverClockError()).isEqualTo(Duration.ofMillis(1));
        SqlOptions client = (SqlOptions) loader.parse("test.yaml", VALID.replace("  database: app",
                "  database: app\n      clock: client\n      server_clock_error: 5ms")).sets().get(0).options();
        assertThat(client.serverClock()).isFalse();
        assertThat(client.serverClockError()).isEqualTo(Duration.ofMillis(5));
        assertThat(errors(VALID.replace("  database: app", "  database: app\n      clock: atomic\n      server_clock_error: 11s")))
                .containsExactlyInAnyOrder(
                        "replication_sets[0].postgres.clock: must be server (the servers' clocks time each canary) or client (replag's clock), found \"atomic\"",
                        "replication_sets[0].postgres.server_clock_error: must be 0s to 10s, found 11000ms");
    }

    @Test
    void agentMapGivesTheRegionAndTheClockBoundAndTheRegionMustBeASetsRegion() throws Exception {
        ReplagConfig single = loader.parse("test.yaml", VALID);
        assertThat(single.agentOptions().region()).isEmpty();
        assertThat(single.agentOptions().clockMaxError()).isEqualTo(Duration.ofMillis(10));
        ReplagConfig perRegion = loader.parse("test.yaml", VALID.replace("agent: replag-prod-1",
                "agent: {name: replag, region: eu-west-1, clock: {max_error: 2ms, chrony: false}}"));
        assertThat(perRegion.agent()).isEqualTo("replag");
        assertThat(perRegion.agentOptions().region()).contains("eu-west-1");
        assertThat(perRegion.agentOptions().clockMaxError()).isEqualTo(Duration.ofMillis(2));
        assertThat(perRegion.agentOptions().chrony()).isFalse();
        assertThat(errors(VALID.replace("agent: replag-prod-1", "agent: {name: replag, region: mars-1, clok: {}}")))
                .containsExactlyInAnyOrder("agent.clok: unknown key (known here: name, region, clock, peers, peer_auth, peer_ca_file)",
                        "agent.region: no replication set has region \"mars-1\" (regions: ap-southeast-2, eu-west-1, us-east-1)");
        assertThat(single.inRegion("ap-southeast-2").agentOptions().region()).contains("ap-southeast-2");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> single.inRegion("mars-1"))
                .hasMessage("--region: no replication set has region \"mars-1\" (regions: ap-southeast-2, eu-west-1, us-east-1)");
    }

    @Test
    void peersAreTheOtherRegionsAgentsWithTheirUrls() throws Exception {
        ReplagConfig c = loader.parse("test.yaml", VALID.replace("agent: replag-prod-1", """
                agent:
                  name: replag
                  peers:
                    - {region: us-east-1, url: "https://replag.use1.example.com:9478"}
                    - {region: eu-west-1, url: "https://replag.euw1.example.com:9478"}
                    - {region: ap-southeast-2, url: "https://replag.apse2.example.com:9478"}
                  peer_auth: {username: replag-peer, password: "${PG_PASSWORD}"}"""));
        assertThat(c.agentOptions().peers()).hasSize(3);
        assertThat(c.inRegion("eu-west-1").agentOptions().otherPeers()).extracting(AgentOptions.Peer::region)
                .containsExactly("us-east-1", "ap-southeast-2");
        assertThat(c.agentOptions().peerAuth().orElseThrow().password().reveal()).isEqualTo("s3cr3t-value");
        assertThat(errors(VALID.replace("agent: replag-prod-1", """
                agent:
                  name: replag
                  peers:
                    - {region: us-east-1, url: "ftp://x"}
                    - {region: us-east-1, url: "http://y:9478"}""")))
                .containsExactlyInAnyOrder("agent.peers[0].url: must be an http:// or https:// URL of the agent's server, found \"ftp://x\"",
                        "agent.peers[1].region: names region \"us-east-1\" twice: one agent per region");
    }

    @Test
    void badEndpointNamesThePathAndTheValue() {
        assertThat(errors(VALID.replace("db.ap.example.com:5432", "eu-west-1:")))
                .containsExactly("replication_sets[0].replicas[1].endpoint: not a host:port, found \"eu-west-1:\"");
    }

    @Test
    void unknownKeysAreErrorsAtEveryLevel() {
        assertThat(errors(VALID.replace("agent: replag-prod-1", "agent: replag-prod-1\nagnet: typo")
                .replace("    store: postgres", "    store: postgres\n    intervall: 1s")
                .replace("  database: app", "  database: app\n      passwd: x")))
                .hasSize(3)
                .anySatisfy(e -> assertThat(e).startsWith("agnet: unknown key"))
                .anySatisfy(e -> assertThat(e).startsWith("replication_sets[0].intervall: unknown key"))
                .anySatisfy(e -> assertThat(e).startsWith("replication_sets[0].postgres.passwd: unknown key"));
    }

    @Test
    void durationsMustParseAndBePositive() {
        assertThat(errors(VALID.replace("interval: 500ms", "interval: -1s").replace("deadline: 2m", "deadline: soon")))
                .containsExactlyInAnyOrder("replication_sets[0].interval: must be > 0, found -1s",
                        "defaults.deadline: must be a duration such as 250ms, 1s, 2m or 1h, found \"soon\"");
    }

    @Test
    void missingEnvironmentVariableIsNamedWithoutAValue() {
        ConfigLoader noEnv = new ConfigLoader(name -> null);
        assertThatThrownBy(() -> noEnv.parse("x.yaml", VALID))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("replication_sets[0].postgres.password: environment variable PG_PASSWORD is not set")
                .hasMessageContaining("replication_sets[0].replicas[0].endpoint: environment variable HOST_EU is not set");
    }

    @Test
    void passwordFromAFile(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("pg");
        Files.writeString(secret, "from-file\n");
        ReplagConfig c = loader.parse("x", VALID.replace("password: ${PG_PASSWORD}", "password_file: " + secret));
        assertThat(((SqlOptions) c.sets().get(0).options()).password().orElseThrow().reveal()).isEqualTo("from-file");
        assertThat(errors(VALID.replace("password: ${PG_PASSWORD}", "password_file: " + dir.resolve("absent"))))
                .containsExactly("replication_sets[0].postgres.password_file: cannot read \"" + dir.resolve("absent") + "\": no such file");
    }

    @Test
    void filesAreRegularAndBounded(@TempDir Path dir) throws Exception {
        assertThat(errors(VALID.replace("password: ${PG_PASSWORD}", "password_file: /dev/zero")))
                .containsExactly("replication_sets[0].postgres.password_file: cannot read \"/dev/zero\": not a regular file");
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThat(errors(VALID.replace("password: ${PG_PASSWORD}", "password_file: " + fifo)))
                .as("a FIFO would block the start forever").containsExactly(
                        "replication_sets[0].postgres.password_file: cannot read \"" + fifo + "\": not a regular file");
        Path big = Files.writeString(dir.resolve("big"), "x".repeat(io.replag.agent.config.BoundedFiles.MAX_SECRET_BYTES + 1));
        assertThat(errors(VALID.replace("password: ${PG_PASSWORD}", "password_file: " + big))).singleElement().asString()
                .endsWith("larger than 65536 bytes");
        assertThatThrownBy(() -> loader.load(Path.of("/dev/zero"))).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("not a regular file");
    }

    @Test
    void aValueFromTheEnvironmentIsNeverEchoedWhateverTheField() {
        List<String> e = errors(VALID.replace("\"db.ap.example.com:5432\"", "\"${PG_PASSWORD}\""));
        assertThat(e).singleElement().asString().startsWith("replication_sets[0].replicas[1].endpoint:")
                .contains("${PG_PASSWORD}").doesNotContain("s3cr3t-value");
    }

    @Test
    void yamlLimitsHoldForEveryFile() {
        StringBuilder bomb = new StringBuilder("a: &a [x, x]\n");
        for (int i = 1; i <= 12; i++) {
            bomb.append("b").append(i).append(": &b").append(i).append(" [*a, *a]\n");
        }
        assertThat(errors(bomb.toString())).singleElement().asString().startsWith("not valid YAML");
    }

    @Test
    void requiredKeysUnknownStoreAndDuplicates() {
        assertThat(errors("agent: a\n")).containsExactly("replication_sets: is required: list the replication sets to probe");
        assertThat(errors("""
                replication_sets:
                  - name: a
                    store: cassandra
                  - name: b
                    store: postgres
                    primary: {region: us-east-1, endpoint: "h:1"}
                    replicas: [{region: us-east-1, endpoint: "h:2"}]
                  - name: b
                    store: postgres
                    primary: {region: US_EAST, endpoint: "h:70000"}
                """)).containsExactlyInAnyOrder(
                "replication_sets[0].store: unknown store \"cassandra\" (known: " + String.join(", ", io.replag.agent.Stores.keys()) + ")",
                "replication_sets[1].replicas[0].region: region \"us-east-1\" appears twice in this set",
                "replication_sets[2].name: duplicate replication set name \"b\"",
                "replication_sets[2].primary.region: must be a region name such as us-east-1, found \"US_EAST\"",
                "replication_sets[2].primary.endpoint: port must be 1 to 65535, found 70000",
                "replication_sets[2].replicas: is required: at least one replica to measure");
    }

    @Test
    void wrongShapesAreNamed() {
        assertThat(errors("replication_sets: {name: a}\n")).containsExactly(
                "replication_sets: must be a list, found a mapping");
        assertThat(errors("replication_sets: []\n")).containsExactly("replication_sets: must list at least one replication set");
        assertThat(errors(VALID.replace("tls: {mode: verify-full}", "tls: {mode: sometimes}")))
                .containsExactly("replication_sets[0].postgres.tls.mode: must be one of disable, require, verify-ca, verify-full, found \"sometimes\"");
        assertThat(errors(VALID.replace("table: monitoring.replag_canary", "table: \"x; DROP TABLE y\"")))
                .singleElement().asString().startsWith("replication_sets[0].postgres.table: must be a table name");
    }

    @Test
    void yamlProblemsAreReportedNotThrown() {
        assertThat(errors("replication_sets: [\n")).singleElement().asString().startsWith("not valid YAML:");
        assertThat(errors("agent: a\nagent: b\nreplication_sets: []\n")).singleElement().asString()
                .startsWith("not valid YAML:").contains("duplicate key agent");
        assertThat(errors("")).containsExactly("the file is empty: it needs at least replication_sets");
    }

    @Test
    void dynamoDbSetProbesEveryOrderedPairAndEndpointsAreOptional() throws Exception {
        ReplagConfig c = loader.parse("x", """
                replication_sets:
                  - name: sessions
                    store: dynamodb
                    regions:
                      - {region: us-east-1}
                      - {region: eu-west-1}
                      - {region: ap-southeast-2, endpoint: "localhost:8000"}
                    dynamodb:
                      table: sessions
                      partition_key: id
                      ttl_attribute: expires_at
                      role_arn: arn:aws:iam::123456789012:role/replag
                """);
        ReplicationSet set = c.sets().get(0);
        assertThat(set.pairs()).hasSize(6);
        assertThat(set.endpoints().get("us-east-1").isDefault()).isTrue();
        assertThat(set.endpoints().get("ap-southeast-2")).isEqualTo(new Endpoint("localhost", 8000));
        var options = (io.replag.agent.dynamodb.DynamoDbOptions) set.options();
        assertThat(options.partitionKey()).isEqualTo("id");
        assertThat(options.ttlAttribute()).contains("expires_at");

        assertThat(errors("""
                replication_sets:
                  - name: sessions
                    store: dynamodb
                    primary: {region: us-east-1}
                    regions: [{region: us-east-1}]
                    dynamodb: {table: sessions, role_arn: "my-role", consistent: true}
                """)).containsExactlyInAnyOrder(
                "replication_sets[0].primary: store dynamodb has a writer in every region: list them under regions",
                "replication_sets[0].regions: needs at least two regions, found 1",
                "replication_sets[0].dynamodb.role_arn: must be an IAM role ARN such as arn:aws:iam::123456789012:role/replag, found \"my-role\"",
                "replication_sets[0].dynamodb.consistent: unknown key (known here: table, partition_key, key_prefix, sort_key, sort_key_value, ttl_attribute, ttl, role_arn, native_figure)");
    }

    @Test
    void mysqlSetWithCloudWatchIdentifiers() throws Exception {
        ReplicationSet set = loader.parse("x", """
                replication_sets:
                  - name: inventory
                    store: mysql
                    primary: {region: us-east-1, endpoint: "db.use1:3306"}
                    replicas: [{region: eu-west-1, endpoint: "db.euw1:3306"}]
                    mysql:
                      user: replag
                      cloudwatch:
                        replica_instances: {eu-west-1: inventory-euw1}
                        secondary_clusters: {eu-west-1: inventory-euw1-cluster}
                """).sets().get(0);
        var options = (io.replag.agent.sql.SqlOptions) set.options();
        assertThat(options.database()).isEqualTo("replag");
        assertThat(options.cloudWatch().replicaInstances()).containsEntry("eu-west-1", "inventory-euw1");
        assertThat(options.cloudWatch().secondaryClusters()).containsEntry("eu-west-1", "inventory-euw1-cluster");
        assertThat(errors("""
                replication_sets:
                  - name: inventory
                    store: mysql
                    primary: {region: us-east-1, endpoint: "db.use1:3306"}
                    replicas: [{region: eu-west-1, endpoint: "db.euw1:3306"}]
                    mysql:
                      cloudwatch:
                        replica_instances: {Europe: x, eu-west-1: "1bad"}
                        clusters: {}
                """)).containsExactlyInAnyOrder(
                "replication_sets[0].mysql.cloudwatch.replica_instances.Europe: must be keyed by an AWS region such as eu-west-1, found \"Europe\"",
                "replication_sets[0].mysql.cloudwatch.replica_instances.eu-west-1: must be an RDS identifier (a letter, then letters, digits or -), found \"1bad\"",
                "replication_sets[0].mysql.cloudwatch.clusters: unknown key (known here: replica_instances, secondary_clusters)");
    }

    @Test
    void s3PairsFollowTheReplicationRules() throws Exception {
        String regions = """
                replication_sets:
                  - name: assets
                    store: s3
                    regions: [{region: us-east-1}, {region: eu-west-1}, {region: ap-southeast-2}]
                    s3:
                      buckets: {us-east-1: assets-use1, eu-west-1: assets-euw1, ap-southeast-2: assets-apse2}
                """;
        ReplicationSet rules = loader.parse("x", regions + """
                      rules:
                        - {source: us-east-1, target: eu-west-1, rule_id: to-euw1}
                        - {source: eu-west-1, target: us-east-1}
                        - {source: us-east-1, target: ap-southeast-2}
                      rule_id: replag
                      prefix: canary/
                """).sets().get(0);
        assertThat(rules.pairs()).containsExactly(new ReplicationPair("us-east-1", "eu-west-1"),
                new ReplicationPair("eu-west-1", "us-east-1"), new ReplicationPair("us-east-1", "ap-southeast-2"));
        assertThat(rules.sourceRegions()).containsExactly("us-east-1", "eu-west-1");
        var options = (io.replag.agent.s3.S3Options) rules.options();
        assertThat(options.rules().get(0).ruleId()).contains("to-euw1");
        assertThat(options.rules().get(1).ruleId()).as("the set's default rule id").contains("replag");
        assertThat(options.objectKey("a1", "us-east-1")).isEqualTo("canary/a1/us-east-1");
        assertThat(options.bucket("eu-west-1")).isEqualTo("assets-euw1");

        assertThat(loader.parse("x", regions + "      replication: ring\n").sets().get(0).pairs()).containsExactly(
                new ReplicationPair("us-east-1", "eu-west-1"), new ReplicationPair("eu-west-1", "ap-southeast-2"),
                new ReplicationPair("ap-southeast-2", "us-east-1"));
        assertThat(loader.parse("x", regions + "      replication: two-way\n").sets().get(0).pairs()).hasSize(6);
    }

    @Test
    void theDeadlineDefaultsToTheStoresOwnUnlessConfigured() throws Exception {
        String s3 = """
                replication_sets:
                  - name: assets
                    store: s3
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    s3: {buckets: {us-east-1: a-b-c, eu-west-1: d-e-f}, replication: two-way}
                  - name: orders
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: orders}
                """;
        var sets = loader.parse("x", s3).sets();
        assertThat(sets.get(0).timing().deadline()).as("S3 Replication Time Control's 15 minutes").isEqualTo(Duration.ofMinutes(15));
        assertThat(sets.get(1).timing().deadline()).isEqualTo(Duration.ofSeconds(60));
        assertThat(loader.parse("x", "defaults: {deadline: 3m}\n" + s3).sets())
                .as("defaults.deadline applies to every store").allSatisfy(set -> assertThat(set.timing().deadline()).isEqualTo(Duration.ofMinutes(3)));
        assertThat(loader.parse("x", s3.replace("store: s3\n", "store: s3\n    deadline: 5m\n")).sets().get(0).timing().deadline())
                .isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void s3ErrorsNameTheRuleAndTheRegion() {
        assertThat(errors("""
                replication_sets:
                  - name: assets
                    store: s3
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    s3:
                      buckets: {us-east-1: Assets_Use1, eu-central-1: x-y-z}
                      rules:
                        - {source: us-east-1, target: us-east-1}
                        - {source: us-east-1, target: sa-east-1}
                        - {source: eu-west-1, target: us-east-1, filter: all}
                  - name: other
                    store: s3
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    s3:
                      buckets: {us-east-1: a-b-c, eu-west-1: d-e-f}
                      replication: star
                  - name: both
                    store: s3
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    s3:
                      buckets: {us-east-1: a-b-c, eu-west-1: d-e-f}
                      replication: ring
                      rules: []
                """)).containsExactlyInAnyOrder(
                "replication_sets[0].s3.buckets.us-east-1: must be an S3 bucket name (3-63 of a-z 0-9 . -), found \"Assets_Use1\"",
                "replication_sets[0].s3.buckets.eu-central-1: region \"eu-central-1\" is not one of the set's regions (us-east-1, eu-west-1)",
                "replication_sets[0].s3.buckets: has no bucket for region \"eu-west-1\"",
                "replication_sets[0].s3.rules[0]: source and target are the same region \"us-east-1\"",
                "replication_sets[0].s3.rules[1].target: region \"sa-east-1\" is not one of the set's regions (us-east-1, eu-west-1)",
                "replication_sets[0].s3.rules[2].filter: unknown key (known here: source, target, rule_id)",
                "replication_sets[1].s3.replication: must be two-way or ring (or list rules instead), found \"star\"",
                "replication_sets[2].s3: needs exactly one of replication (two-way or ring) and rules (a list of {source, target, rule_id})");
    }

    @Test
    void regionHealthSection() throws Exception {
        ReplagConfig c = loader.parse("x", VALID + "region_health: {max_lag: 10s, grace: 1m, directions: into, stores: [postgres]}\n");
        assertThat(c.regionHealth()).isEqualTo(new io.replag.exporter.health.RegionHealthConfig(
                Duration.ofSeconds(10), Duration.ofMinutes(1), "into", java.util.Set.of("postgres")));
        assertThat(errors(VALID + "region_health: {directions: sideways, stores: [mongodb], flap: no}\n")).containsExactlyInAnyOrder(
                "region_health.directions: must be into, out or both, found \"sideways\"",
                "region_health.stores[0]: unknown store \"mongodb\" (known: " + String.join(", ", io.replag.agent.Stores.keys()) + ")",
                "region_health.flap: unknown key (known here: max_lag, grace, directions, stores)");
    }

    @Test
    void everyErrorOfAFileIsReportedInOnePass() {
        assertThat(errors(VALID.replace("interval: 2s", "interval: 0s").replace("listen: 127.0.0.1:9500", "listen: everywhere")
                .replace("db.ap.example.com:5432", "nohost"))).hasSize(3);
    }

    /** A store that takes both shapes (a cache with a Global Datastore and a multi-region flavour), without naming one. */
    private static io.replag.agent.spi.StoreProvider<io.replag.agent.spi.StoreOptions> bothShapes() {
        return new io.replag.agent.spi.StoreProvider<>() {
            public String key() {
                return "both";
            }

            public Class<io.replag.agent.spi.StoreOptions> optionsType() {
                return io.replag.agent.spi.StoreOptions.class;
            }

            public java.util.Set<io.replag.agent.spi.Topology> topologies() {
                return java.util.Set.of(io.replag.agent.spi.Topology.PRIMARY_REPLICAS, io.replag.agent.spi.Topology.EVERY_PAIR);
            }

            public io.replag.agent.spi.StoreOptions parseOptions(io.replag.agent.config.ConfigNode node, List<String> regions) {
                return null;
            }

            public io.replag.agent.spi.CanaryStore create(io.vertx.core.Vertx vertx, ReplicationSet set, io.replag.agent.spi.StoreOptions o) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static java.util.Optional<io.replag.agent.spi.Topology> topologyOf(Map<String, Object> set, io.replag.agent.config.ConfigErrors errors) {
        var node = io.replag.agent.config.ConfigNode.root(set, errors, name -> null);
        return ConfigLoader.topology(bothShapes(), node.get("primary"), node.get("replicas"), node.get("regions"));
    }

    @Test
    void aStoreThatTakesBothShapesChoosesByTheSetsKeysAndRefusesBoth() {
        var errors = new io.replag.agent.config.ConfigErrors();
        assertThat(topologyOf(Map.of("primary", Map.of(), "replicas", List.of()), errors)).contains(io.replag.agent.spi.Topology.PRIMARY_REPLICAS);
        assertThat(topologyOf(Map.of("regions", List.of()), errors)).contains(io.replag.agent.spi.Topology.EVERY_PAIR);
        assertThat(errors.list()).isEmpty();
        assertThat(topologyOf(Map.of("primary", Map.of(), "regions", List.of()), errors)).isEmpty();
        assertThat(errors.list()).containsExactly(
                "regions: give primary and replicas (one writer) or regions (a writer in every region), not both");
    }

    @Test
    void convergenceIsForSetsWithAWriterInEveryRegionAndItsDeadlineIsShorterThanItsInterval() throws Exception {
        var sets = loader.parse("x", """
                defaults: {convergence: true}
                replication_sets:
                  - name: sessions
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: sessions}
                    convergence: {interval: 2m, deadline: 45s}
                  - name: carts
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: carts}
                  - name: orders
                    store: postgres
                    primary: {region: us-east-1, endpoint: "db:5432"}
                    replicas: [{region: eu-west-1, endpoint: "db2:5432"}]
                """).sets();
        assertThat(sets.get(0).timing().convergence()).contains(new io.replag.agent.config.Convergence(Duration.ofMinutes(2), Duration.ofSeconds(45)));
        assertThat(sets.get(1).timing().convergence()).as("from defaults")
                .contains(new io.replag.agent.config.Convergence(Duration.ofMinutes(1), Duration.ofSeconds(30)));
        assertThat(sets.get(2).timing().convergence()).as("defaults apply to sets with a writer in every region only").isEmpty();
        assertThat(errors("""
                replication_sets:
                  - name: orders
                    store: postgres
                    primary: {region: us-east-1, endpoint: "db:5432"}
                    replicas: [{region: eu-west-1, endpoint: "db2:5432"}]
                    convergence: true
                  - name: sessions
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: sessions}
                    convergence: {interval: 30s, deadline: 30s, every: 2}
                """)).containsExactlyInAnyOrder(
                "replication_sets[0].convergence: is for sets with a writer in every region (regions); this set has one writer",
                "replication_sets[1].convergence.every: unknown key (known here: interval, deadline)",
                "replication_sets[1].convergence.deadline: must be shorter than the interval (30000ms): one round at a time, found 30000ms");
    }

    @Test
    void pollPrecisionSetsTheAdaptiveScheduleZeroTurnsItOffAndItIsBounded() throws Exception {
        var sets = loader.parse("x", """
                replication_sets:
                  - name: sessions
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: sessions}
                    poll: {precision: 20ms}
                  - name: orders
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: orders}
                    poll: {precision: 0s}
                  - name: carts
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: carts}
                """).sets();
        assertThat(sets.get(0).timing().poll().adaptive()).isTrue();
        assertThat(sets.get(0).timing().poll().precision()).isEqualTo(Duration.ofMillis(20));
        assertThat(sets.get(1).timing().poll().adaptive()).as("0s: the geometric schedule alone").isFalse();
        assertThat(sets.get(2).timing().poll()).as("the default").isEqualTo(io.replag.agent.config.PollSchedule.DEFAULT);
        assertThat(sets.get(2).timing().poll().precision()).isEqualTo(Duration.ofMillis(50));
        assertThat(errors("""
                replication_sets:
                  - name: sessions
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: sessions}
                    poll: {precision: 2m}
                """)).containsExactly("replication_sets[0].poll.precision: must be 0s to 60s, found 120000ms");
    }

    @Test
    void burstIsAllowedOnlyBySetsThatSaySoThemselves() throws Exception {
        var sets = loader.parse("x", """
                replication_sets:
                  - name: sessions
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: sessions}
                    burst: {allowed: true}
                  - name: carts
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: carts}
                """).sets();
        assertThat(sets.get(0).burstAllowed()).isTrue();
        assertThat(sets.get(1).burstAllowed()).as("off unless said").isFalse();
        assertThat(errors("""
                defaults: {burst: {allowed: true}}
                replication_sets:
                  - name: sessions
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: sessions}
                    burst: {allowed: yes-please, records: 5}
                  - name: carts
                    store: dynamodb
                    regions: [{region: us-east-1}, {region: eu-west-1}]
                    dynamodb: {table: carts}
                    burst: true
                """)).containsExactlyInAnyOrder(
                "defaults.burst: unknown key (known here: interval, jitter, deadline, request_timeout, native_interval, poll, convergence)",
                "replication_sets[0].burst.allowed: must be true or false, found \"yes-please\"",
                "replication_sets[0].burst.records: unknown key (known here: allowed)",
                "replication_sets[1].burst: must be a mapping of keys to values, found true");
    }
}
