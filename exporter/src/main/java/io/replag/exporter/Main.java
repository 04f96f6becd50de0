package io.replag.exporter;

import io.replag.agent.config.InvalidConfigException;
import io.replag.exporter.config.ConfigLoader;
import io.replag.exporter.config.ReplagConfig;
import io.replag.exporter.web.WebConfig;
import io.replag.exporter.web.WebConfigLoader;
import io.replag.exporter.http.HttpExtension;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The {@code replag} command line. */
public final class Main {
    /** The exporter's own commands; replag-tools (./replag) adds demo, accuracy, compare and bench. */
    public static final String COMMANDS = """
              run --config FILE [--region R] [--port N] [--web.config.file WEB] [--web.enable-lifecycle]
                                            probe the replication sets in FILE (see docs/configuration.md);
                                            --region R: per-region mode, the agent in R (writes R's canaries,
                                            reads in R; the same FILE deploys in every region);
                                            WEB: TLS and basic auth, exporter-toolkit format (docs/security.md);
                                            --web.enable-lifecycle: POST /-/reload re-reads FILE as SIGHUP does
              check-config FILE [--region R]
                                            validate FILE: exit 0, or 1 listing every error with its field
              version                       print the version
            """ + io.replag.exporter.burst.BurstOptions.USAGE;

    static final String USAGE = "usage: replag <command> [options]\n\n" + COMMANDS
            + "\n  (demo, accuracy, compare and bench are in the tools build: ./replag from a checkout)\n";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command; returns the exit code, or blocks forever for long-running ones. */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        return run(argv, out, err, USAGE);
    }

    /** As {@link #run(String[], PrintStream, PrintStream)}, with {@code usage} for help and mistakes. */
    public static int run(String[] argv, PrintStream out, PrintStream err, String usage) {
        Deque<String> args = new ArrayDeque<>(List.of(argv));
        if (args.isEmpty() || List.of("-h", "--help", "help").contains(args.peek())) {
            out.print(usage);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.pop();
        try {
            return switch (command) {
                case "check-config" -> checkConfig(args, out, err);
                case "run" -> runConfig(args, err);
                case "burst" -> io.replag.exporter.burst.BurstCommand.main(args, out, err);
                case "version" -> {
                    out.println("replag " + BuildInfo.version());
                    yield 0;
                }
                default -> usage(err, "unknown command \"" + command + "\"", usage);
            };
        } catch (UsageException e) {
            return usage(err, e.getMessage(), usage);
        }
    }

    public static int usage(PrintStream err, String problem, String usage) {
        err.println("replag: " + problem);
        err.print(usage);
        return 2;
    }

    /** A mistake on the command line: said in one line, then the usage. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }

    public static String value(Deque<String> args, String flag) {
        if (args.isEmpty()) {
            throw new UsageException(flag + " needs a value");
        }
        return args.pop();
    }

    public static int port(Deque<String> args) {
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
        boolean lifecycle = false;
        while (!args.isEmpty()) {
            String a = args.pop();
            switch (a) {
                case "--config" -> file = Path.of(value(args, a));
                case "--region" -> region = value(args, a);
                case "--port" -> port = port(args);
                case "--web.config.file" -> webFile = Path.of(value(args, a));
                case "--web.enable-lifecycle" -> lifecycle = true;
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
        // before the start: SIGHUP's default action ends the JVM, and a reload may be sent as soon as /metrics answers
        var running = new java.util.concurrent.atomic.AtomicReference<ReplagRuntime>();
        reloadOnSighup(running, file, region, err);
        HttpExtension reloadRoute = lifecycle ? reloadRoute(running, file, region, err) : null;
        ReplagRuntime runtime = start(config, null, reloadRoute, web, err, null);
        if (runtime == null) {
            return 1;
        }
        running.set(runtime);
        blockForever();
        return 0;
    }

    /**
     * Starts the runtime and returns it once it serves, or null; a shutdown hook stops it, then runs
     * {@code afterStop} (the demo removes its lab).
     */
    public static ReplagRuntime start(ReplagConfig config, List<ReplagConfig> agents, HttpExtension extension, WebConfig web,
                                      PrintStream err, Runnable afterStop) {
        ReplagRuntime runtime = new ReplagRuntime(config, agents, extension, io.replag.agent.engine.ArrivalListener.NONE, web);
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
            if (afterStop != null) {
                afterStop.run();
            }
        }, "replag-shutdown"));
        return runtime;
    }

    /**
     * SIGHUP re-reads the config file. A file with errors is refused with every error listed, and
     * the running configuration stays in force; {@code replag_config_last_reload_successful} says so.
     */
    /**
     * The config file as a reload (SIGHUP or {@code POST /-/reload}) would put it in force, in
     * {@code region}'s view in per-region mode. A refused file is counted as a failed reload before
     * the error is thrown. Reads the file: never on an event loop.
     */
    private static ReplagConfig reloadedConfig(ReplagRuntime runtime, Path file, String region) throws InvalidConfigException {
        try {
            ReplagConfig loaded = ConfigLoader.withSystemEnv().load(file);
            return region == null ? loaded : loaded.inRegion(region);
        } catch (InvalidConfigException | IllegalArgumentException e) {
            runtime.reloads(false);
            throw e;
        }
    }

    /**
     * {@code POST /-/reload}, as Prometheus's {@code --web.enable-lifecycle}: the same reload as
     * SIGHUP, answered 200 when the new file is in force, 400 with every error when it is refused.
     * Off unless asked for; behind the web config's basic auth like every route.
     */
    static HttpExtension reloadRoute(java.util.concurrent.atomic.AtomicReference<ReplagRuntime> running, Path file, String region,
                                     PrintStream err) {
        // the file is read on a worker, never on the event loop
        return (vertx, router) -> router.post("/-/reload").handler(ctx -> vertx.<ReplagConfig>executeBlocking(() -> {
                    ReplagRuntime runtime = running.get();
                    if (runtime == null) {
                        throw new IllegalStateException("still starting");
                    }
                    return reloadedConfig(runtime, file, region);
                }, false)
                .compose(next -> running.get().reload(next))
                .onSuccess(v -> io.replag.exporter.http.HttpEndpoints.text(ctx, 200, "reloaded " + file + "\n"))
                .onFailure(e -> {
                    err.println("replag: reload refused, the running configuration stays: " + e.getMessage());
                    io.replag.exporter.http.HttpEndpoints.text(ctx, 400, "reload refused, the running configuration stays: " + e.getMessage() + "\n");
                }));
    }

    @SuppressWarnings("removal")
    private static void reloadOnSighup(java.util.concurrent.atomic.AtomicReference<ReplagRuntime> running, Path file, String region,
                                       PrintStream err) {
        try {
            var previous = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                ReplagRuntime runtime = running.get();
                if (runtime == null) {
                    err.println("replag: SIGHUP while starting, ignored: send it again once /ready answers");
                    return;
                }
                try {
                    runtime.reload(reloadedConfig(runtime, file, region)).onFailure(e -> err.println(
                            "replag: reload refused, the running configuration stays: " + e.getMessage()));
                } catch (InvalidConfigException e) {
                    err.println("replag: reload refused, the running configuration stays");
                    err.println(e.getMessage());
                } catch (IllegalArgumentException e) {
                    err.println("replag: reload refused, the running configuration stays: " + e.getMessage());
                }
            });
            if (previous == sun.misc.SignalHandler.SIG_IGN) {
                // the JVM keeps an inherited "ignore" (nohup): the handler above never runs
                err.println("replag: SIGHUP is ignored in this process (started under nohup?): a reload needs a restart,"
                        + " or start replag without nohup");
            }
        } catch (IllegalArgumentException unsupported) {
            err.println("replag: this platform has no SIGHUP; restart to change the configuration");
        }
    }

    public static void blockForever() {
        // Vert.x threads keep the JVM alive; the main thread only waits for the shutdown hook.
        try {
            new java.util.concurrent.CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
