package io.replag.tools.burst;

import io.replag.agent.config.ProbeTiming;
import io.replag.exporter.Main;
import io.replag.exporter.Main.UsageException;
import io.replag.exporter.ReplagRuntime;
import io.replag.exporter.burst.BurstCommand;
import io.replag.exporter.burst.BurstOptions;
import io.replag.exporter.config.ReplagConfig;
import io.replag.exporter.web.WebConfig;
import io.replag.lab.Lab;
import io.replag.lab.LabStore;
import io.replag.lab.LabStoreProvider;
import io.replag.lab.LabStores;
import io.replag.lab.LabUnavailable;
import io.replag.lab.LinkChange;
import io.replag.lab.LinkState;
import io.replag.lab.distance.Geography;
import io.replag.tools.demo.Demo;
import io.replag.tools.lab.LabControl;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * {@code ./replag burst --lab}: a burst on the lab, with the demo's canary probing running beside
 * it in the same process (its /metrics shows both, and the lab control API on the same port can
 * break a link mid-burst), then the lab's own count of what each link dropped next to the
 * burst's lost count. Starts only the lab store the set needs.
 */
public final class LabBurst {
    public static final String USAGE = """
              burst --lab --set NAME --source REGION --records N --rate R --read-after D [--link-delay D]
                    [--geography none|demo|...] [--port N] [--poll D|0] [--deadline D]
                                            the same burst on the lab (sets: orders, inventory, sessions,
                                            assets, sessions-cache), with the demo's probing beside it;
                                            --link-delay: every link of the set's store; metrics and the lab
                                            control on http://127.0.0.1:N (default 9478) while it runs
            """;

    private LabBurst() {
    }

    public static int main(Deque<String> argv, PrintStream out, PrintStream err) {
        Deque<String> rest = new ArrayDeque<>();
        int port = 9478;
        String geographySpec = "none";
        Optional<java.time.Duration> linkDelay = Optional.empty();
        while (!argv.isEmpty()) {
            String a = argv.pop();
            switch (a) {
                case "--lab" -> { }
                case "--port" -> port = Main.port(argv);
                case "--geography" -> geographySpec = Main.value(argv, a);
                case "--link-delay" -> linkDelay = Optional.of(BurstOptions.duration(a, Main.value(argv, a)));
                default -> rest.add(a);
            }
        }
        BurstOptions options = BurstOptions.parse(rest);
        if (options.port().isPresent()) {
            throw new UsageException("burst --lab: --port is the lab's (metrics and lab control beside the probing), given before the burst's options once");
        }
        Optional<LabStoreProvider> provider = LabStores.all().stream().filter(p -> p.setName().equals(options.set())).findFirst();
        if (provider.isEmpty()) {
            throw new UsageException("burst --lab: --set: no lab set \"" + options.set() + "\" (lab sets: "
                    + String.join(", ", LabStores.all().stream().map(LabStoreProvider::setName).toList()) + ")");
        }
        Geography geography;
        try {
            geography = Geography.parse(geographySpec, Demo.REGIONS, Demo.PRIMARY);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        out.println("replag burst --lab: starting the " + provider.get().store() + " lab ...");
        Lab lab;
        try {
            LabStore store = provider.get().start(Demo.LAB_REGIONS, geography);
            lab = new Lab(List.of(store), geography);
            for (LinkState link : lab.links()) {
                if (geography.enabled()) {
                    provider.get().awsLikeDelay().ifPresent(d -> change(lab, link, d));
                }
                if (linkDelay.isPresent()) {
                    change(lab, link, new LinkChange(Optional.of(linkDelay.get().toMillis()), Optional.empty()));
                }
            }
        } catch (LabUnavailable e) {
            err.println("replag burst --lab: the " + provider.get().store() + " lab cannot run here: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("replag burst --lab: the lab did not start: " + e);
            return 1;
        }
        try {
            ReplagConfig demo = Demo.config(lab, "127.0.0.1", port, ProbeTiming.DEFAULT);
            ReplagConfig config = new ReplagConfig(demo.agent(), demo.listenHost(), demo.listenPort(),
                    demo.sets().stream().map(s -> s.withBurstAllowed()).toList());
            ReplagRuntime runtime = Main.start(config, null, LabControl.of(lab), WebConfig.NONE, err, null);
            if (runtime == null) {
                return 1;
            }
            try {
                out.println("replag burst --lab: probing beside the burst; /metrics and /lab/links on http://127.0.0.1:" + port);
                LabStore store = lab.stores().get(0);
                java.util.Map<String, Integer> before = new java.util.HashMap<>();
                for (LinkState link : lab.links()) {
                    before.put(link.target(), store.droppedKeys(link.source(), link.target()).size());
                }
                int code = BurstCommand.run(config, options, runtime.registry(), out, err);
                for (LinkState link : lab.links()) {
                    if (!link.source().equals(options.source())) {
                        continue;
                    }
                    List<String> keys = store.droppedKeys(link.source(), link.target());
                    List<String> during = keys.subList(Math.min(keys.size(), before.getOrDefault(link.target(), 0)), keys.size());
                    long burst = during.stream().filter(k -> k.contains("burst/" + config.agent() + "/")).count();
                    out.printf("lab: %s -> %s dropped %d write(s) during the burst: %d of its records, %d others (canaries)%n",
                            link.source(), link.target(), during.size(), burst, during.size() - burst);
                }
                return code;
            } finally {
                runtime.stop().get(15, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            err.println("replag burst --lab: " + e);
            return 1;
        } finally {
            lab.close();
        }
    }

    private static void change(Lab lab, LinkState link, LinkChange change) {
        try {
            lab.change(link.store(), link.source(), link.target(), change);
        } catch (Exception e) {
            throw new IllegalStateException("lab link " + link.source() + " -> " + link.target() + ": " + e.getMessage(), e);
        }
    }
}
