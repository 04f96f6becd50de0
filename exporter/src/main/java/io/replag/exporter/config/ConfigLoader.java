package io.replag.exporter.config;

import io.replag.agent.Stores;
import io.replag.agent.config.ConfigErrors;
import io.replag.agent.config.ConfigNode;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.InvalidConfigException;
import io.replag.agent.config.PollSchedule;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationPair;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.StoreProvider;
import io.replag.agent.spi.Topology;
import io.replag.exporter.health.RegionHealthConfig;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a replag YAML file into a {@link ReplagConfig} in one pass that reports every error with
 * its field path and the value found. Unknown keys are errors. docs/configuration.md describes
 * every key.
 */
public final class ConfigLoader {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:]+]|[A-Za-z0-9_.-]+):(\\d{1,5})");

    private final Function<String, String> env;
    /** Whether {@code defaults} names a deadline: it then overrides every store's own default. */
    private boolean deadlineByDefaults;

    public ConfigLoader(Function<String, String> env) {
        this.env = env;
    }

    public static ConfigLoader withSystemEnv() {
        return new ConfigLoader(System::getenv);
    }

    public ReplagConfig load(Path file) throws InvalidConfigException {
        String text;
        try {
            text = io.replag.agent.config.BoundedFiles.read(file, io.replag.agent.config.BoundedFiles.MAX_CONFIG_BYTES);
        } catch (IOException e) {
            throw new InvalidConfigException(file.toString(), List.of("cannot read the file: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage())));
        }
        return parse(file.toString(), text);
    }

    public ReplagConfig parse(String source, String yaml) throws InvalidConfigException {
        Object tree;
        try {
            tree = new Yaml(new SafeConstructor(YamlLimits.options())).load(yaml);
        } catch (YAMLException e) {
            throw new InvalidConfigException(source, List.of("not valid YAML: " + e.getMessage().replaceAll("\\s+", " ")));
        }
        if (tree == null) {
            throw new InvalidConfigException(source, List.of("the file is empty: it needs at least replication_sets"));
        }
        ConfigErrors errors = new ConfigErrors();
        ReplagConfig config = read(ConfigNode.root(tree, errors, env));
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(source, errors.list());
        }
        return config;
    }

    private ReplagConfig read(ConfigNode root) {
        ConfigNode agentNode = root.get("agent");
        String agent;
        AgentOptions agentOptions = AgentOptions.DEFAULT;
        if (agentNode.holdsMap()) {
            agent = agentNode.get("name").matching(NAME, "a name of letters, digits, '.', '_' or '-'").orElseGet(ConfigLoader::defaultAgent);
            agentOptions = agentOptions(agentNode);
        } else {
            agent = agentNode.matching(NAME, "a name of letters, digits, '.', '_' or '-', or a map {name, region, clock}")
                    .orElseGet(ConfigLoader::defaultAgent);
        }
        ConfigNode server = root.get("server");
        String host = "0.0.0.0";
        int port = ReplagConfig.DEFAULT_PORT;
        if (server.isPresent() && server.isMap()) {
            ConfigNode listen = server.get("listen");
            Optional<String> hp = listen.matching(HOST_PORT, "a host:port such as 0.0.0.0:9478");
            if (hp.isPresent()) {
                Matcher m = HOST_PORT.matcher(hp.get());
                m.matches();
                host = m.group(1);
                port = port(listen, m.group(2), 0).orElse(port);
            }
            server.finish();
        }
        ProbeTiming defaults = timing(root.get("defaults"), ProbeTiming.DEFAULT, true);
        deadlineByDefaults = root.get("defaults").holdsMap() && root.get("defaults").get("deadline").isPresent();

        List<ReplicationSet> sets = new ArrayList<>();
        ConfigNode setsNode = root.get("replication_sets");
        if (!setsNode.isPresent()) {
            setsNode.error("is required: list the replication sets to probe");
        }
        Set<String> names = new HashSet<>();
        int errorsBefore = setsNode.errors().list().size();
        List<ConfigNode> setNodes = setsNode.elements();
        for (ConfigNode node : setNodes) {
            readSet(node, defaults, names).ifPresent(sets::add);
        }
        if (setsNode.isPresent() && setNodes.isEmpty() && errorsBefore == setsNode.errors().list().size()) {
            setsNode.error("must list at least one replication set");
        }
        RegionHealthConfig regionHealth = regionHealth(root.get("region_health"));
        LagThresholds lagThresholds = lagThresholds(root.get("lag_thresholds"));
        root.finish();
        if (agentOptions.region().isPresent()) {
            Set<String> regions = new java.util.TreeSet<>();
            sets.forEach(set -> regions.addAll(set.endpoints().keySet()));
            if (!regions.isEmpty() && !regions.contains(agentOptions.region().get())) {
                agentNode.get("region").error("no replication set has region \"" + agentOptions.region().get() + "\" (regions: "
                        + String.join(", ", regions) + ")");
            }
        }
        return new ReplagConfig(agent, host, port, sets, regionHealth, agentOptions, lagThresholds);
    }

    /** {@code agent: {name, region, clock: {max_error, chrony}}}: the map form of {@code agent}. */
    private static AgentOptions agentOptions(ConfigNode node) {
        Optional<String> region = node.get("region").matching(REGION, "a region name such as eu-west-1");
        java.time.Duration maxError = AgentOptions.DEFAULT_CLOCK_MAX_ERROR;
        boolean chrony = true;
        ConfigNode clock = node.get("clock");
        if (clock.isPresent() && clock.isMap()) {
            ConfigNode max = clock.get("max_error");
            Optional<java.time.Duration> d = max.duration();
            if (d.isPresent() && (d.get().isNegative() || d.get().compareTo(java.time.Duration.ofSeconds(10)) > 0)) {
                max.error("must be 0s to 10s, found " + d.get().toMillis() + "ms");
            } else if (d.isPresent()) {
                maxError = d.get();
            }
            chrony = clock.get("chrony").bool().orElse(true);
            clock.finish();
        }
        List<AgentOptions.Peer> peers = new ArrayList<>();
        Set<String> peerRegions = new HashSet<>();
        for (ConfigNode peer : node.get("peers").elements()) {
            Optional<String> r = peer.get("region").matching(REGION, "a region name such as eu-west-1");
            ConfigNode urlNode = peer.get("url");
            Optional<java.net.URI> url = urlNode.requiredString().flatMap(u -> {
                try {
                    java.net.URI uri = new java.net.URI(u);
                    if ((uri.getScheme() != null && (uri.getScheme().equals("http") || uri.getScheme().equals("https"))) && uri.getHost() != null) {
                        return Optional.of(uri);
                    }
                } catch (java.net.URISyntaxException ignored) {
                    // reported below
                }
                urlNode.error("must be an http:// or https:// URL of the agent's server, found \"" + u + "\"");
                return Optional.empty();
            });
            if (r.isPresent() && !peerRegions.add(r.get())) {
                peer.get("region").error("names region \"" + r.get() + "\" twice: one agent per region");
            }
            peer.finish();
            if (r.isPresent() && url.isPresent()) {
                peers.add(new AgentOptions.Peer(r.get(), url.get()));
            }
        }
        Optional<AgentOptions.PeerAuth> auth = Optional.empty();
        ConfigNode authNode = node.get("peer_auth");
        if (authNode.isPresent() && authNode.isMap()) {
            Optional<String> user = authNode.get("username").requiredString();
            ConfigNode password = authNode.get("password");
            ConfigNode passwordFile = authNode.get("password_file");
            Optional<io.replag.agent.config.Secret> secret = password.secret().or(passwordFile::secretFile);
            if (secret.isEmpty()) {
                authNode.error("needs password or password_file");
            }
            authNode.finish();
            if (user.isPresent() && secret.isPresent()) {
                auth = Optional.of(new AgentOptions.PeerAuth(user.get(), secret.get()));
            }
        }
        Optional<String> caFile = node.get("peer_ca_file").readableFile();
        node.finish();
        return new AgentOptions(region, maxError, chrony, peers, auth, caFile);
    }

    /** {@code lag_thresholds: {s3: {warning: 10m, critical: 30m}}}: per store, over the store's own. */
    private static LagThresholds lagThresholds(ConfigNode node) {
        if (!node.isPresent() || !node.isMap()) {
            return LagThresholds.DEFAULT;
        }
        Map<String, io.replag.agent.config.LagThreshold> overrides = new LinkedHashMap<>();
        for (String key : node.keys()) {
            ConfigNode store = node.get(key);
            var provider = Stores.byKey(key);
            if (provider.isEmpty()) {
                store.error("unknown store \"" + key + "\" (known: " + String.join(", ", Stores.keys()) + ")");
                continue;
            }
            if (!store.isMap()) {
                continue;
            }
            var own = provider.get().lagThreshold();
            var warning = store.get("warning").duration().orElse(own.warning());
            var critical = store.get("critical").duration().orElse(own.critical());
            store.finish();
            if (warning.isZero() || warning.isNegative()) {
                store.get("warning").error("must be > 0, found " + warning.toMillis() + "ms");
            } else if (critical.compareTo(warning) <= 0) {
                store.get("critical").error("must be more than warning (" + warning.toMillis() + "ms), found " + critical.toMillis() + "ms");
            } else {
                overrides.put(key, io.replag.agent.config.LagThreshold.of(warning, critical));
            }
        }
        return new LagThresholds(overrides);
    }

    private static RegionHealthConfig regionHealth(ConfigNode node) {
        if (!node.isPresent() || !node.isMap()) {
            return RegionHealthConfig.DEFAULT;
        }
        RegionHealthConfig d = RegionHealthConfig.DEFAULT;
        var maxLag = node.get("max_lag").duration().orElse(d.maxLag());
        var grace = node.get("grace").duration().orElse(d.grace());
        ConfigNode directionsNode = node.get("directions");
        String directions = directionsNode.string().filter(v -> {
            if (RegionHealthConfig.DIRECTIONS.contains(v)) {
                return true;
            }
            directionsNode.error("must be into, out or both, found \"" + v + "\"");
            return false;
        }).orElse(d.directions());
        Set<String> stores = new java.util.LinkedHashSet<>();
        for (ConfigNode store : node.get("stores").elements()) {
            store.string().ifPresent(key -> {
                if (Stores.byKey(key).isEmpty()) {
                    store.error("unknown store \"" + key + "\" (known: " + String.join(", ", Stores.keys()) + ")");
                } else {
                    stores.add(key);
                }
            });
        }
        node.finish();
        return new RegionHealthConfig(maxLag, grace, directions, stores);
    }

    private Optional<ReplicationSet> readSet(ConfigNode node, ProbeTiming defaults, Set<String> names) {
        if (!node.isMap()) {
            return Optional.empty();
        }
        ConfigNode nameNode = node.get("name");
        Optional<String> name = nameNode.requiredString().flatMap(n -> nameNode.matching(NAME, "a name of letters, digits, '.', '_' or '-'"));
        name.ifPresent(n -> {
            if (!names.add(n)) {
                nameNode.error("duplicate replication set name \"" + n + "\"");
            }
        });
        ConfigNode storeNode = node.get("store");
        Optional<StoreProvider<?>> provider = storeNode.requiredString().flatMap(key -> {
            Optional<StoreProvider<?>> p = Stores.byKey(key);
            if (p.isEmpty()) {
                storeNode.error("unknown store \"" + key + "\" (known: " + String.join(", ", Stores.keys()) + ")");
            }
            return p;
        });
        ProbeTiming timing = provider.isPresent() && !deadlineByDefaults && !node.get("deadline").isPresent()
                ? timing(node, defaults.toBuilder().deadline(provider.get().defaultDeadline()).build(), false)
                : timing(node, defaults, false);

        Map<String, Endpoint> endpoints = new LinkedHashMap<>();
        List<ReplicationPair> pairs = new ArrayList<>();
        ConfigNode primary = node.get("primary");
        ConfigNode replicas = node.get("replicas");
        ConfigNode regions = node.get("regions");
        List<String> regionNames = new ArrayList<>();
        Optional<Topology> topology = provider.flatMap(p -> topology(p, primary, replicas, regions));
        if (topology.orElse(null) == Topology.PRIMARY_REPLICAS) {
            boolean endpointRequired = provider.get().endpointRequired();
            Optional<String> p = regionEndpoint(primary, endpoints, endpointRequired);
            List<String> replicaRegions = new ArrayList<>();
            if (!replicas.isPresent()) {
                replicas.error("is required: at least one replica to measure");
            }
            for (ConfigNode r : replicas.elements()) {
                regionEndpoint(r, endpoints, endpointRequired).ifPresent(replicaRegions::add);
            }
            p.ifPresent(pr -> pairs.addAll(ReplicationSet.singleWriter(pr, replicaRegions)));
        } else if (topology.isPresent()) {
            List<String> all = new ArrayList<>();
            if (!regions.isPresent()) {
                regions.error("is required: the regions of the set, at least two");
            }
            for (ConfigNode r : regions.elements()) {
                regionEndpoint(r, endpoints, provider.get().endpointRequired()).ifPresent(all::add);
            }
            if (all.size() < 2) {
                regions.error("needs at least two regions, found " + all.size());
            }
            pairs.addAll(ReplicationSet.multiWriter(all));
            regionNames.addAll(all);
        }
        boolean burstAllowed = burstAllowed(node.get("burst"));
        io.replag.agent.spi.StoreOptions options = provider.map(p -> p.parseOptions(node.get(p.key()), regionNames)).orElse(null);
        if (provider.isPresent() && options != null) {
            provider.get().pairsOf(options).ifPresent(own -> {
                pairs.clear();
                pairs.addAll(own);
            });
        }
        node.finish();
        if (name.isEmpty() || provider.isEmpty()) {
            return Optional.empty();
        }
        if (topology.orElse(null) == Topology.PRIMARY_REPLICAS && timing.convergence().isPresent()) {
            if (node.get("convergence").isPresent()) {
                node.get("convergence").error("is for sets with a writer in every region (regions); this set has one writer");
            }
            // from defaults: it applies to the sets with a writer in every region only
            timing = timing.toBuilder().convergence(null).build();
        }
        return Optional.of(new ReplicationSet(name.get(), provider.get().key(), endpoints, pairs, timing, options, burstAllowed));
    }

    /**
     * {@code burst: {allowed: true}}: {@code replag burst} may write its records to the set. Only
     * per set, never in defaults: a burst is many writes, and each set opts in by name.
     */
    private static boolean burstAllowed(ConfigNode node) {
        if (!node.isPresent()) {
            return false;
        }
        if (!node.isMap()) {
            return false; // said by isMap
        }
        boolean allowed = node.get("allowed").bool().orElse(false);
        node.finish();
        return allowed;
    }

    /**
     * The set's shape: the store's only one, or, for a store that takes both, the one its keys
     * name ({@code regions}: every pair; {@code primary}/{@code replicas}: one writer). Empty after an error.
     */
    static Optional<Topology> topology(StoreProvider<?> provider, ConfigNode primary, ConfigNode replicas, ConfigNode regions) {
        Set<Topology> accepted = provider.topologies();
        boolean onePrimary = primary.isPresent() || replicas.isPresent();
        if (accepted.size() > 1) {
            if (onePrimary && regions.isPresent()) {
                regions.error("give primary and replicas (one writer) or regions (a writer in every region), not both");
                return Optional.empty();
            }
            return Optional.of(onePrimary ? Topology.PRIMARY_REPLICAS : Topology.EVERY_PAIR);
        }
        if (accepted.contains(Topology.PRIMARY_REPLICAS)) {
            if (regions.isPresent()) {
                regions.error("store " + provider.key() + " has one writer: give primary and replicas instead");
            }
            return Optional.of(Topology.PRIMARY_REPLICAS);
        }
        if (onePrimary) {
            (primary.isPresent() ? primary : replicas).error("store " + provider.key() + " has a writer in every region: list them under regions");
        }
        return Optional.of(Topology.EVERY_PAIR);
    }

    /**
     * Reads {@code {region, endpoint}} into {@code endpoints}; returns the region. Where the store
     * does not require an endpoint, a missing one means the store's own endpoint of that region.
     */
    private Optional<String> regionEndpoint(ConfigNode node, Map<String, Endpoint> endpoints, boolean endpointRequired) {
        if (!node.isPresent()) {
            node.error(endpointRequired ? "is required: {region: ..., endpoint: host:port}" : "is required: {region: ...}");
            return Optional.empty();
        }
        if (!node.isMap()) {
            return Optional.empty();
        }
        ConfigNode regionNode = node.get("region");
        Optional<String> region = regionNode.requiredString()
                .flatMap(r -> regionNode.matching(REGION, "a region name such as us-east-1"));
        ConfigNode endpointNode = node.get("endpoint");
        if (!endpointRequired && !endpointNode.isPresent()) {
            node.finish();
            if (region.isPresent() && endpoints.containsKey(region.get())) {
                regionNode.error("region \"" + region.get() + "\" appears twice in this set");
                return Optional.empty();
            }
            region.ifPresent(r -> endpoints.put(r, Endpoint.DEFAULT));
            return region;
        }
        Optional<Endpoint> endpoint = endpointNode.requiredString().flatMap(e -> {
            Matcher m = HOST_PORT.matcher(e);
            if (!m.matches()) {
                endpointNode.error("not a host:port, found \"" + e + "\"");
                return Optional.empty();
            }
            return port(endpointNode, m.group(2), 1).map(port -> new Endpoint(m.group(1), port));
        });
        node.finish();
        if (region.isPresent() && endpoints.containsKey(region.get())) {
            regionNode.error("region \"" + region.get() + "\" appears twice in this set");
            return Optional.empty();
        }
        if (region.isPresent() && endpoint.isPresent()) {
            endpoints.put(region.get(), endpoint.get());
        }
        return region;
    }

    private static Optional<Integer> port(ConfigNode node, String digits, int min) {
        int port = Integer.parseInt(digits);
        if (port < min || port > 65535) {
            node.error("port must be " + min + " to 65535, found " + port);
            return Optional.empty();
        }
        return Optional.of(port);
    }

    /**
     * Probe timing keys, read from {@code node} over {@code base}. In {@code defaults} they are the
     * only keys; in a set they sit beside the set's other keys.
     */
    private static ProbeTiming timing(ConfigNode node, ProbeTiming base, boolean ownSection) {
        if (!node.isPresent() || !node.isMap()) {
            return base;
        }
        var b = base.toBuilder();
        node.get("interval").duration().ifPresent(b::interval);
        node.get("jitter").number(0, 0.5).ifPresent(b::jitter);
        node.get("deadline").duration().ifPresent(b::deadline);
        node.get("request_timeout").duration().ifPresent(b::requestTimeout);
        node.get("native_interval").duration().ifPresent(b::nativeInterval);
        ConfigNode poll = node.get("poll");
        if (poll.isPresent() && poll.isMap()) {
            PollSchedule p = base.poll();
            var first = poll.get("first").duration().orElse(p.first());
            var factor = poll.get("factor").number(1, 10).orElse(p.factor());
            var max = poll.get("max").duration().orElse(p.max());
            if (max.compareTo(first) < 0) {
                poll.error("max must be >= first, found first " + first.toMillis() + "ms, max " + max.toMillis() + "ms");
            }
            var precision = poll.get("precision").durationWithin(java.time.Duration.ZERO, java.time.Duration.ofMinutes(1))
                    .orElse(p.precision());
            poll.finish();
            b.poll(new PollSchedule(first, factor, max, precision));
        }
        convergence(node.get("convergence")).ifPresent(b::convergence);
        ProbeTiming t = b.build();
        if (t.deadline().compareTo(t.interval()) < 0) {
            node.get("deadline").error("must be at least the interval (" + t.interval().toMillis() + "ms), found "
                    + t.deadline().toMillis() + "ms");
        }
        if (ownSection) {
            node.finish();
        }
        return t;
    }

    /**
     * {@code convergence: true}, or {@code {interval, deadline}} (defaults 1m and 30s): the
     * convergence probe of sets with a writer in every region.
     */
    private static Optional<io.replag.agent.config.Convergence> convergence(ConfigNode node) {
        if (!node.isPresent()) {
            return Optional.empty();
        }
        if (!node.holdsMap()) {
            return node.bool().filter(on -> on).map(on -> new io.replag.agent.config.Convergence(
                    io.replag.agent.config.Convergence.DEFAULT_INTERVAL, io.replag.agent.config.Convergence.DEFAULT_DEADLINE));
        }
        var interval = node.get("interval").duration().orElse(io.replag.agent.config.Convergence.DEFAULT_INTERVAL);
        var deadline = node.get("deadline").duration().orElse(io.replag.agent.config.Convergence.DEFAULT_DEADLINE);
        node.finish();
        if (deadline.compareTo(interval) >= 0) {
            node.get("deadline").error("must be shorter than the interval (" + interval.toMillis() + "ms): one round at a time, found "
                    + deadline.toMillis() + "ms");
            return Optional.empty();
        }
        return Optional.of(new io.replag.agent.config.Convergence(interval, deadline));
    }

    private static String defaultAgent() {
        try {
            return "replag-" + InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.-]", "-");
        } catch (IOException e) {
            return "replag";
        }
    }
}
