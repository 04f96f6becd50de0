package io.replag.exporter.burst;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replag.agent.Stores;
import io.replag.agent.burst.BurstPlan;
import io.replag.agent.burst.BurstReport;
import io.replag.agent.burst.BurstRunner;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.InvalidConfigException;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.metrics.BurstMeters;
import io.replag.agent.spi.BurstRecords;
import io.replag.agent.spi.BurstRun;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.time.VertxEventLoop;
import io.replag.agent.time.WallClock;
import io.replag.exporter.Main.UsageException;
import io.replag.exporter.config.ConfigLoader;
import io.replag.exporter.config.ReplagConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code replag burst}: the article's acceptance test, many records written in one region and
 * looked for in every other (docs/burst.md). Refuses a set without {@code burst: {allowed: true}},
 * prints the cost first, and against real (non-loopback) endpoints starts only with {@code --yes}.
 *
 * <p>Exit codes: 0 nothing lost; 1 refused or failed; 2 a mistake on the command line; 3 the
 * estimate was printed and {@code --yes} is missing; 4 records were lost.
 */
public final class BurstCommand {
    public static final int LOST = 4;
    public static final int NEEDS_YES = 3;

    private BurstCommand() {
    }

    public static int main(Deque<String> args, PrintStream out, PrintStream err) {
        BurstOptions options = BurstOptions.parse(args);
        if (options.config().isEmpty()) {
            throw new UsageException("burst needs --config FILE");
        }
        ReplagConfig config;
        try {
            config = ConfigLoader.withSystemEnv().load(options.config().get());
        } catch (InvalidConfigException e) {
            err.println("replag burst: refusing to start, the configuration is invalid");
            err.println(e.getMessage());
            return 1;
        }
        return run(config, options, null, out, err);
    }

    /**
     * Runs a burst on one of {@code config}'s sets.
     *
     * @param shared a registry to put the burst's meters in (the lab's running exporter), or null:
     *               its own, served on {@code --port} if given
     */
    public static int run(ReplagConfig config, BurstOptions options, MeterRegistry shared, PrintStream out, PrintStream err) {
        Optional<ReplicationSet> found = config.sets().stream().filter(s -> s.name().equals(options.set())).findFirst();
        if (found.isEmpty()) {
            err.println("replag burst: --set: no replication set \"" + options.set() + "\" (sets: "
                    + String.join(", ", config.sets().stream().map(ReplicationSet::name).toList()) + ")");
            return 1;
        }
        ReplicationSet set = found.get();
        if (!set.burstAllowed()) {
            err.println("replag burst: refusing: set \"" + set.name() + "\" has no burst: {allowed: true} in its configuration "
                    + "(a burst is many writes into it; docs/burst.md)");
            return 1;
        }
        if (set.targetsOf(options.source()).isEmpty()) {
            err.println("replag burst: --source: \"" + options.source() + "\" replicates to no region in set \"" + set.name()
                    + "\" (sources: " + String.join(", ", set.sourceRegions()) + ")");
            return 1;
        }
        BurstPlan plan;
        try {
            String id = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
            plan = new BurstPlan(set.name(), set.store(), options.source(), set.targetsOf(options.source()), options.records(), options.rate(),
                    options.readAfter(), options.poll(), options.deadline().orElse(set.timing().deadline()), new BurstRun(config.agent(), id));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Vertx vertx = Vertx.vertx();
        CanaryStore store = null;
        HttpServer server = null;
        try {
            store = Stores.byKey(set.store()).orElseThrow().create(vertx, set);
            Optional<BurstRecords> records = store.burst();
            if (records.isEmpty()) {
                err.println("replag burst: the " + set.store() + " store has no burst support");
                return 1;
            }
            double readsPerRecord = plan.poll().isZero() ? 1 : Math.ceil((double) plan.readAfter().toMillis() / plan.poll().toMillis());
            out.println("cost estimate (" + set.store() + ", us-east-1 list prices, " + plan.records() + " records to " + plan.targets().size()
                    + " region(s), ~" + (long) readsPerRecord + " read(s) per record each while polling to read-after, more for later ones): "
                    + records.get().costEstimate(plan.records(), plan.targets().size(), readsPerRecord));
            if (!onThisMachine(set) && !options.yes()) {
                out.println("replag burst: the set's endpoints are real servers: rerun with --yes to start");
                return NEEDS_YES;
            }
            MeterRegistry registry = shared != null ? shared : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            BurstMeters meters = new BurstMeters(registry, plan);
            if (shared == null && options.port().isPresent()) {
                server = serve(vertx, (PrometheusMeterRegistry) registry, config.listenHost(), options.port().get());
                out.println("replag burst: /metrics on http://" + config.listenHost() + ":" + server.actualPort() + "/metrics");
            }
            String unready = ready(store, records.get(), plan, out);
            if (unready != null) {
                err.println("replag burst: not started: " + unready);
                return 1;
            }
            meters.started();
            out.println("replag burst: run " + plan.run().id() + ", records under " + plan.run().prefix());
            long bound = (long) (plan.records() / plan.rate() * 3) + plan.deadline().toSeconds() + 600;
            Thread cleanupOnInterrupt = cleanupOnInterrupt(records.get(), plan, out);
            Runtime.getRuntime().addShutdownHook(cleanupOnInterrupt);
            BurstReport report = new BurstRunner(VertxEventLoop.create(vertx), WallClock.system(), records.get(), plan, out::println)
                    .run().toCompletionStage().toCompletableFuture().get(bound, TimeUnit.SECONDS);
            Runtime.getRuntime().removeShutdownHook(cleanupOnInterrupt);
            meters.ended(report, WallClock.system().nowMicros());
            out.print(report.format());
            if (server != null && !options.linger().isZero()) {
                out.println("replag burst: serving /metrics for " + options.linger().toSeconds() + " s more, for Prometheus to scrape the result");
                Thread.sleep(options.linger().toMillis()); // the CLI's own thread, never an event loop
            }
            return report.targets().stream().anyMatch(t -> t.lost() > 0) ? LOST : 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("replag burst: interrupted");
            return 1;
        } catch (Exception e) {
            err.println("replag burst: failed: " + (e.getCause() != null ? e.getCause() : e));
            return 1;
        } finally {
            if (server != null) {
                server.close();
            }
            if (store != null) {
                store.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(x -> null).join();
            }
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(x -> null).join();
        }
    }

    /**
     * Before the first record: the source ready for writes (its table created where the config
     * allows), and every target answering a read of the run's keys, so that a missing permission
     * or an unreachable region stops the run before it writes anything. Null when ready, else why not.
     */
    static String ready(CanaryStore store, BurstRecords records, BurstPlan plan, PrintStream out) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // e.g. PostgreSQL's CREATE TABLE IF NOT EXISTS racing the running agent's own: the next try finds the table
        String problem = retry(until, "the source " + plan.source() + " to take writes", () -> store.prepareWriter(plan.source()), out);
        for (String target : plan.targets()) {
            if (problem == null) {
                problem = retry(until, target + " to answer reads", () -> records.read(target, plan.run(), java.util.List.of(0L)), out);
            }
        }
        return problem;
    }

    /** Tries {@code call} every 500 ms until it succeeds (null) or {@code untilNanos} passes (why not). */
    private static String retry(long untilNanos, String what, java.util.function.Supplier<io.vertx.core.Future<?>> call, PrintStream out)
            throws InterruptedException {
        while (true) {
            try {
                call.get().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                return null;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                Object cause = e.getCause() != null ? e.getCause() : e;
                if (System.nanoTime() > untilNanos) {
                    return "waited 30 s for " + what + ": " + cause;
                }
                out.println("replag burst: waiting for " + what + " (" + (e.getCause() != null ? e.getCause().getMessage() : e) + ")");
                Thread.sleep(500); // the CLI's own thread: a bounded wait for the region, not for a result
            }
        }
    }

    /**
     * Ctrl-C (or SIGTERM) during a run: the records written so far are removed as at the end of a
     * run (or left to their TTL), within 60 s, so an interrupted burst leaves nothing behind.
     */
    private static Thread cleanupOnInterrupt(BurstRecords records, BurstPlan plan, PrintStream out) {
        return new Thread(() -> {
            out.println("replag burst: interrupted: cleaning up the records under " + plan.run().prefix() + " ...");
            try {
                out.println("replag burst: cleanup: " + records.cleanup(plan.source(), plan.run(), plan.records())
                        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                out.println("replag burst: cleanup failed (" + (e.getCause() != null ? e.getCause() : e) + "): the records stay under "
                        + plan.run().prefix());
            }
        }, "replag-burst-cleanup");
    }

    /** Every endpoint on this machine (the lab): nothing is billed, no --yes needed. */
    static boolean onThisMachine(ReplicationSet set) {
        return set.endpoints().values().stream().allMatch(e -> !e.isDefault() && loopback(e));
    }

    private static boolean loopback(Endpoint e) {
        return e.host().equals("localhost") || e.host().startsWith("127.") || e.host().equals("::1");
    }

    private static HttpServer serve(Vertx vertx, PrometheusMeterRegistry registry, String host, int port) throws Exception {
        return vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/metrics")) {
                req.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
            } else {
                req.response().setStatusCode(404).end("replag burst serves /metrics only\n");
            }
        }).listen(port, host).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

}
