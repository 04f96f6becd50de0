package io.replag.exporter;

import io.replag.agent.config.InvalidConfigException;
import io.replag.agent.config.ProbeTiming;
import io.replag.exporter.bench.EngineBench;
import io.replag.exporter.cli.Demo;
import io.replag.exporter.config.ConfigLoader;
import io.replag.exporter.config.ReplagConfig;
import io.replag.exporter.web.WebConfig;
import io.replag.exporter.web.WebConfigLoader;
import io.replag.lab.Lab;
import io.replag.lab.distance.Geography;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The {@code replag} command line. */
public final class Main {
    static final String USAGE = """
            usage: replag <command> [options]

              demo [--port N] [--listen-host H] [--geography demo|none|remote:MS|uniform:MS] [--home REGION]
                   [--agents single|per-region]
                                            start the local lab (PostgreSQL and MariaDB primaries us-east-1,
                                            replicas eu-west-1 and ap-southeast-2; DynamoDB and S3 in all
                                            three) and probe it; metrics on
                                            http://H:N/metrics (default 127.0.0.1:9478), lab control on /lab/links;
                                            regions as far apart as AWS's (demo, replag in --home, default
                                            us-east-1), none apart (none), or all MS ms round trip (uniform);
                                            --agents per-region: an agent per region, each writing and
                                            reading only there
              run --config FILE [--region R] [--port N] [--web.config.file WEB]
                                            probe the replication sets in FILE (see docs/configuration.md);
                                            --region R: per-region mode, the agent in R (writes R's canaries,
                                            reads in R; the same FILE deploys in every region);
                                            WEB: TLS and basic auth, exporter-toolkit format (docs/security.md)
              check-config FILE [--region R]
                                            validate FILE: exit 0, or 1 listing every error with its field
              compare [--short]             replag beside postgres_exporter, mysqld_exporter and pt-heartbeat
                                            on the lab (docs/comparison.md; scripts/compare writes it)
              accuracy [--short] [--geography none|demo|remote:MS[,...]] [--delays MS[,...]]
                                            injected delays 0.25, 1 and 3.7 s on every lab link, with replag
                                            near and far, checked against the lab's observer of the truth
                                            (docs/performance.md; scripts/accuracy writes it)
              bench [--short] [--seconds S] [--pairs 100,1000,10000] [--growth MINUTES]
                                            benchmark the engine on the in-memory store (docs/performance.md)
              version                       print the version
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command; returns the exit code, or blocks forever for long-running ones. */
    static int run(String[] argv, PrintStream out, PrintStream err) {
        Deque<String> args = new ArrayDeque<>(List.of(argv));
        if (args.isEmpty() || List.of("-h", "--help", "help").contains(args.peek())) {
            out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.pop();
        try {
            return switch (command) {
                case "check-config" -> checkConfig(args, out, err);
                case "run" -> runConfig(args, err);
                case "demo" -> demo(args, out, err);
                case "bench" -> EngineBench.main(args, out);
                case "compare" -> io.replag.exporter.compare.Comparison.main(args, out, err);
                case "accuracy" -> io.replag.exporter.compare.LabAccuracy.main(args, out, err);
                case "version" -> {
                    out.println("replag " + BuildInfo.version());
                    yield 0;
                }
                default -> usage(err, "unknown command \"" + command + "\"");
            };
        } catch (UsageException e) {
            return usage(err, e.getMessage());
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("replag: " + problem);
        err.print(USAGE);
        return 2;
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private static String value(Deque<String> args, String flag) {
        if (args.isEmpty()) {
            throw new UsageException(flag + " needs a value");
        }
        return args.pop();
    }

    private static int port(Deque<String> args) {
        String v = value(args, "--port");
        try {
            int port = Integer.parseInt(v);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new UsageException("--port: must be 0 to 65535, found \"" + v + "\"");
        }
    }

    private static int checkConfig(Deque<String> args, PrintStream out, PrintStream err) {
        Path file = null;
        String region = null;
        while (!args.isEmpty()) {
            String a = args.pop();
            if (a.equals("--region")) {
                region = value(args, a);
            } else if (file == null && !a.startsWith("--")) {
                file = Path.of(a);
            } else {
                throw new UsageException("check-config takes one file and optionally --region R, found \"" + a + "\"");
            }
        }
        if (file == null) {
            throw new UsageException("check-config takes one file");
        }
        try {
            ReplagConfig config = ConfigLoader.withSystemEnv().load(file);
            if (region != null) {
                config = config.inRegion(region);
            }
            out.printf("ok: agent %s, %d replication set(s), %d pair(s)%s%n", config.agent(), config.sets().size(), config.pairCount(),
                    config.agentOptions().region().map(r -> "; per-region mode in " + r).orElse(""));
            return 0;
        } catch (InvalidConfigException e) {
            err.println(e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println(file + ": " + e.getMessage());
            return 1;
        }
    }

    private static int runConfig(Deque<String> args, PrintStream err) {
        Path file = null;
        Integer port = null;
        Path webFile = null;
        String region = null;
        while (!args.isEmpty()) {
            String a = args.pop();
            switch (a) {
                case "--config" -> file = Path.of(value(args, a));
                case "--region" -> region = value(args, a);
                case "--port" -> port = port(args);
                case "--web.config.file" -> webFile = Path.of(value(args, a));
                default -> throw new UsageException("run: unknown option \"" + a + "\"");
            }
        }
        if (file == null) {
            throw new UsageException("run needs --config FILE");
        }
        ReplagConfig config;
        try {
            config = ConfigLoader.withSystemEnv().load(file);
        } catch (InvalidConfigException e) {
            err.println("replag: refusing to start, the configuration is invalid");
            err.println(e.getMessage());
            return 1;
        }
        if (port != null) {
            config = config.withPort(port);
        }
        if (region != null) {
            try {
                config = config.inRegion(region);
            } catch (IllegalArgumentException e) {
                err.println("replag: refusing to start, " + file + ": " + e.getMessage());
                return 1;
            }
        }
        WebConfig web = WebConfig.NONE;
        if (webFile != null) {
            try {
                web = WebConfigLoader.load(webFile);
            } catch (InvalidConfigException e) {
                err.println("replag: refusing to start, the web configuration is invalid");
                err.println(e.getMessage());
                return 1;
            }
        }
        ReplagRuntime runtime = start(config, null, web, err);
        if (runtime == null) {
            return 1;
        }
        reloadOnSighup(runtime, file, region, err);
        blockForever();
        return 0;
    }

    private static int demo(Deque<String> args, PrintStream out, PrintStream err) {
        int port = 9478;
        String host = "127.0.0.1";
        String geographySpec = "demo";
        String home = null;
        boolean perRegion = false;
        while (!args.isEmpty()) {
            String a = args.pop();
            switch (a) {
                case "--port" -> port = port(args);
                case "--geography" -> geographySpec = value(args, a);
                case "--home" -> home = value(args, a);
                case "--agents" -> {
                    String v = value(args, a);
                    if (!v.equals("single") && !v.equals("per-region")) {
                        throw new UsageException("--agents: must be single or per-region, found \"" + v + "\"");
                    }
                    perRegion = v.equals("per-region");
                }
                // a container needs 0.0.0.0 so that Prometheus in another container reaches it
                case "--listen-host" -> host = value(args, a);
                default -> throw new UsageException("demo: unknown option \"" + a + "\"");
            }
        }
        Geography geography;
        try {
            geography = Geography.parse(geographySpec, Demo.REGIONS, home == null ? Demo.PRIMARY : home);
            if (geography.enabled() && home != null) {
                geography.home(home);
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage().replace("home:", "--home:"));
        }
        out.println("replag demo: starting the lab (PostgreSQL primary " + Demo.PRIMARY + ", replicas "
                + String.join(", ", Demo.REPLICAS) + "; DynamoDB table " + Demo.DYNAMO_TABLE + " in "
                + String.join(", ", Demo.REGIONS) + (geography.enabled()
                ? "; geography " + geography.name() + ", replag at home in " + geography.home() : "; zero distance") + ") ...");
        Lab lab;
        try {
            lab = Demo.startLab(out, geography);
        } catch (Exception e) {
            err.println("replag demo: the lab did not start: " + e);
            return 1;
        }
        ReplagConfig config = Demo.config(lab, host, port, ProbeTiming.DEFAULT);
        List<ReplagConfig> agents = perRegion ? Demo.perRegionAgents(lab, host, port, ProbeTiming.DEFAULT) : null;
        if (perRegion) {
            out.println("replag demo: one agent per region (" + String.join(", ", Demo.REGIONS)
                    + "), each writing its region's canaries and reading there; /metrics says which measured what (agent label)");
        }
        ReplagRuntime runtime = start(config, agents, lab, WebConfig.NONE, err);
        if (runtime != null) {
            String base = "http://127.0.0.1:" + port;
            out.println("""
                    replag demo: probing. Try:
                      curl %1$s/metrics | grep '^replag_lag_seconds'
                      curl %1$s/lab/links
                      curl -X PUT %1$s/lab/links/postgres/us-east-1/eu-west-1 -d '{"delayMs": 2000}'
                      curl -X PUT %1$s/lab/links/postgres/us-east-1/eu-west-1 -d '{"paused": true}'
                      curl -X PUT %1$s/lab/regions/postgres/ap-southeast-2 -d '{"running": false}'
                      curl -X PUT %1$s/lab/links/dynamodb/eu-west-1/us-east-1 -d '{"delayMs": 1000}'
                      curl -X PUT %1$s/lab/faults/dynamodb/eu-west-1 -d '{"fault": "throttle"}'
                      curl %1$s/lab/distance
                      curl -X PUT %1$s/lab/distance -d '{"rttMs": {"us-east-1|ap-southeast-2": 300}}'
                    Ctrl-C stops the demo and removes the lab.""".formatted(base));
            blockForever();
            return 0;
        }
        lab.close();
        return 1;
    }

    /** Starts the runtime and returns it once it serves, or null; a shutdown hook stops it (and the lab). */
    private static ReplagRuntime start(ReplagConfig config, Lab lab, WebConfig web, PrintStream err) {
        return start(config, null, lab, web, err);
    }

    private static ReplagRuntime start(ReplagConfig config, List<ReplagConfig> agents, Lab lab, WebConfig web, PrintStream err) {
        ReplagRuntime runtime = new ReplagRuntime(config, agents, lab, io.replag.agent.engine.ArrivalListener.NONE, web);
        try {
            runtime.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            err.println("replag: could not start: " + (e.getCause() != null ? e.getCause() : e));
            runtime.stop();
            return null;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runtime.stop().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                err.println("replag: shutdown did not finish cleanly: " + e);
            }
            if (lab != null) {
                lab.close();
            }
        }, "replag-shutdown"));
        return runtime;
    }

    /**
     * SIGHUP re-reads the config file. A file with errors is refused with every error listed, and
     * the running configuration stays in force; {@code replag_config_last_reload_successful} says so.
     */
    @SuppressWarnings("removal")
    private static void reloadOnSighup(ReplagRuntime runtime, Path file, String region, PrintStream err) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                try {
                    ReplagConfig loaded = ConfigLoader.withSystemEnv().load(file);
                    ReplagConfig next = region == null ? loaded : loaded.inRegion(region);
                    runtime.reload(next).onFailure(e -> err.println("replag: reload refused, the running configuration stays: "
                            + e.getMessage()));
                } catch (InvalidConfigException e) {
                    runtime.reloads(false);
                    err.println("replag: reload refused, the running configuration stays");
                    err.println(e.getMessage());
                } catch (IllegalArgumentException e) {
                    runtime.reloads(false);
                    err.println("replag: reload refused, the running configuration stays: " + e.getMessage());
                }
            });
        } catch (IllegalArgumentException unsupported) {
            err.println("replag: this platform has no SIGHUP; restart to change the configuration");
        }
    }

    private static void blockForever() {
        // Vert.x threads keep the JVM alive; the main thread only waits for the shutdown hook.
        try {
            new java.util.concurrent.CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
