package io.replag.tools;

import io.replag.agent.config.ProbeTiming;
import io.replag.exporter.Main;
import io.replag.exporter.Main.UsageException;
import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.config.ReplagConfig;
import io.replag.exporter.web.WebConfig;
import io.replag.lab.Lab;
import io.replag.lab.distance.Geography;
import io.replag.tools.bench.EngineBench;
import io.replag.tools.compare.Comparison;
import io.replag.tools.compare.LabAccuracy;
import io.replag.tools.demo.Demo;
import io.replag.tools.lab.LabControl;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The {@code replag} command line of a checkout ({@code ./replag}): the exporter's commands plus
 * the ones that need the lab or measure replag itself. The production artifact (replag-exporter)
 * has none of these, and none of the lab's servers.
 */
public final class ToolsMain {
    static final String USAGE = """
            usage: replag <command> [options]

              demo [--port N] [--listen-host H] [--geography demo|none|remote:MS|uniform:MS] [--home REGION]
                   [--agents single|per-region] [--web.config.file FILE]
                                            start the local lab (every lab store found: single-writer
                                            primaries in us-east-1, replicas in eu-west-1 and
                                            ap-southeast-2; multi-writer stores in all three) and probe it;
                                            TLS and basic auth from FILE as with run; metrics on
                                            http://H:N/metrics (default 127.0.0.1:9478), lab control on /lab/links;
                                            regions as far apart as AWS's (demo, replag in --home, default
                                            us-east-1), none apart (none), or all MS ms round trip (uniform);
                                            --agents per-region: an agent per region, each writing and
                                            reading only there
            """ + Main.COMMANDS + io.replag.tools.burst.LabBurst.USAGE + """
              compare [--short]             replag beside postgres_exporter, mysqld_exporter and pt-heartbeat
                                            on the lab (docs/comparison.md; scripts/compare writes it)
              accuracy [--short] [--geography none|demo|remote:MS[,...]] [--delays MS[,...]]
                                            injected delays 0.25, 1 and 3.7 s on every lab link, with replag
                                            near and far, checked against the lab's observer of the truth
                                            (docs/performance.md; scripts/accuracy writes it)
              bench [--short] [--seconds S] [--pairs 100,1000,10000] [--growth MINUTES]
                                            benchmark the engine on the in-memory store (docs/performance.md)
            """;

    private ToolsMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Deque<String> args = new ArrayDeque<>(List.of(argv));
        String command = args.isEmpty() ? "" : args.pop();
        try {
            return switch (command) {
                case "demo" -> demo(args, out, err);
                case "bench" -> EngineBench.main(args, out);
                case "burst" -> args.contains("--lab") ? io.replag.tools.burst.LabBurst.main(args, out, err) : Main.run(argv, out, err, USAGE);
                case "compare" -> Comparison.main(args, out, err);
                case "accuracy" -> LabAccuracy.main(args, out, err);
                default -> Main.run(argv, out, err, USAGE);
            };
        } catch (UsageException e) {
            return Main.usage(err, e.getMessage(), USAGE);
        }
    }

    private static int demo(Deque<String> args, PrintStream out, PrintStream err) {
        int port = 9478;
        String host = "127.0.0.1";
        String geographySpec = "demo";
        String home = null;
        boolean perRegion = false;
        java.nio.file.Path webFile = null;
        while (!args.isEmpty()) {
            String a = args.pop();
            switch (a) {
                case "--port" -> port = Main.port(args);
                case "--geography" -> geographySpec = Main.value(args, a);
                case "--home" -> home = Main.value(args, a);
                case "--agents" -> {
                    String v = Main.value(args, a);
                    if (!v.equals("single") && !v.equals("per-region")) {
                        throw new UsageException("--agents: must be single or per-region, found \"" + v + "\"");
                    }
                    perRegion = v.equals("per-region");
                }
                // a container needs 0.0.0.0 so that Prometheus in another container reaches it
                case "--listen-host" -> host = Main.value(args, a);
                // TLS and basic auth as in production (scripts/abuse floods it with wrong passwords)
                case "--web.config.file" -> webFile = java.nio.file.Path.of(Main.value(args, a));
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
        out.println("replag demo: starting the lab (" + String.join(", ", io.replag.lab.LabStores.all().stream()
                .map(io.replag.lab.LabStoreProvider::store).toList()) + "; primary " + Demo.PRIMARY + ", replicas "
                + String.join(", ", Demo.REPLICAS) + (geography.enabled()
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
        WebConfig web = WebConfig.NONE;
        if (webFile != null) {
            try {
                web = io.replag.exporter.web.WebConfigLoader.load(webFile);
            } catch (io.replag.agent.config.InvalidConfigException e) {
                err.println("replag demo: the web configuration is invalid");
                err.println(e.getMessage());
                lab.close();
                return 1;
            }
        }
        ignoreSighup(err);
        ReplagRuntime runtime = Main.start(config, agents, LabControl.of(lab), web, err, lab::close);
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
                      curl -X PUT %1$s/lab/faults/dynamodb/us-east-1 -d '{"fault": "deny_writes"}'
                      curl %1$s/lab/distance
                      curl -X PUT %1$s/lab/distance -d '{"rttMs": {"us-east-1|ap-southeast-2": 300}}'
                    Ctrl-C stops the demo and removes the lab.""".formatted(base));
            Main.blockForever();
            return 0;
        }
        lab.close();
        return 1;
    }

    /**
     * The demo builds its configuration from the lab, so there is nothing to reload; but SIGHUP's
     * default action would end it (a closed terminal, a stray kill -HUP) and leave the lab's servers behind.
     */
    @SuppressWarnings("removal")
    static void ignoreSighup(PrintStream err) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"),
                    signal -> err.println("replag demo: SIGHUP ignored: the demo's configuration comes from the lab; Ctrl-C stops it"));
        } catch (IllegalArgumentException unsupported) {
            // no SIGHUP on this platform
        }
    }
}
