package io.replag.tools.compare;

import io.replag.agent.config.ProbeTiming;
import io.replag.exporter.ReplagRuntime;
import io.replag.tools.demo.Demo;
import io.replag.exporter.config.ReplagConfig;
import io.replag.lab.Lab;
import io.replag.lab.LabStore;
import io.replag.lab.LinkChange;
import io.replag.lab.mysql.MariaDbLab;
import io.replag.lab.postgres.PostgresLab;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * replag beside the tools operators use today, on the same lab replicas in one run: the
 * PostgreSQL lab with prometheus-postgres-exporter, the MariaDB lab with prometheus-mysqld-exporter
 * (its replica status and its heartbeat collector reading pt-heartbeat's table). Every figure is
 * sampled from the tools' own /metrics every 250 ms, replag's from its registry. Prints Markdown
 * tables; {@code scripts/compare} puts them in docs/comparison.md.
 */
public final class Comparison {
    private static final String EU = "eu-west-1";
    private static final Duration SAMPLE = Duration.ofMillis(250);

    /** How long each phase runs: the full run for the doc, a short one so CI keeps the script alive. */
    record Plan(List<Long> delaysMs, Duration window, Duration stall, double detectAbove, Duration idle) {
        static final Plan FULL = new Plan(List.of(250L, 1000L, 5000L), Duration.ofSeconds(15), Duration.ofSeconds(25), 10,
                Duration.ofSeconds(60));
        static final Plan SHORT = new Plan(List.of(1000L), Duration.ofSeconds(4), Duration.ofSeconds(8), 5,
                Duration.ofSeconds(8));
    }

    /** Why the comparison cannot run here, in one line. */
    public static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private final Plan plan;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> processes = new ArrayList<>();
    private Lab lab;
    private PostgresLab pg;
    private MariaDbLab mysql;
    private ReplagRuntime runtime;
    private Process heartbeat;
    private String pgExporter;
    private String mysqlExporter;

    private Comparison(Plan plan, PrintStream out) {
        this.plan = plan;
        this.out = out;
    }

    /** {@code replag compare [--short]}: progress on stderr, the tables on stdout. */
    public static int main(java.util.Collection<String> args, PrintStream out, PrintStream err) {
        for (String a : args) {
            if (!a.equals("--short")) {
                err.println("replag compare: unknown option \"" + a + "\" (only --short)");
                return 2;
            }
        }
        try {
            out.print(run(args.contains("--short"), err));
            return 0;
        } catch (Unavailable e) {
            err.println("replag compare: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("replag compare failed: " + e);
            return 1;
        }
    }

    /** Runs every phase and returns the Markdown tables. Progress goes to {@code log}. */
    public static String run(boolean shortMode, PrintStream log) throws Exception {
        requireTools();
        Comparison c = new Comparison(shortMode ? Plan.SHORT : Plan.FULL, log);
        try {
            c.start();
            return c.measure(shortMode);
        } finally {
            c.stop();
        }
    }

    static void requireTools() throws Unavailable {
        List<String> missing = new ArrayList<>();
        for (String[] tool : new String[][]{{"prometheus-postgres-exporter", "prometheus-postgres-exporter"},
                {"prometheus-mysqld-exporter", "prometheus-mysqld-exporter"}, {"pt-heartbeat", "percona-toolkit"}}) {
            if (!onPath(tool[0])) {
                missing.add(tool[0] + " (Debian package " + tool[1] + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new Unavailable("needs " + String.join(", ", missing) + "; .ci/run installs them");
        }
    }

    private static boolean onPath(String tool) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, tool)));
    }

    private void start() throws Exception {
        pg = PostgresLab.start(Demo.PRIMARY, Demo.REPLICAS);
        try {
            mysql = MariaDbLab.start(Demo.PRIMARY, Demo.REPLICAS);
        } catch (MariaDbLab.Unavailable e) {
            pg.close();
            throw new Unavailable(e.getMessage());
        }
        lab = new Lab(List.<LabStore>of(pg, mysql));
        ReplagConfig config = Demo.config(lab, "127.0.0.1", 0,
                ProbeTiming.builder().nativeInterval(Duration.ofSeconds(1)).build());
        runtime = new ReplagRuntime(config, (io.replag.exporter.http.HttpExtension) null);
        runtime.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

        try (Connection c = mysql.connect(Demo.PRIMARY); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS heartbeat");
        }
        heartbeat = spawn(Map.of(), "pt-heartbeat", "--update", "--create-table", "--database", "heartbeat", "--table", "heartbeat",
                "--host", "127.0.0.1", "--port", Integer.toString(mysql.ports().get(Demo.PRIMARY)),
                "--user", MariaDbLab.ADMIN, "--password", MariaDbLab.ADMIN, "--interval", "1", "--utc");
        int pgPort = io.replag.lab.Ports.free();
        // 0.11 has no built-in replication lag: operators add the pg_replication query of the
        // package's examples/queries.yaml, copied here verbatim
        Path queries = Files.createTempFile("replag-compare-queries-", ".yaml");
        Files.writeString(queries, """
                pg_replication:
                  query: "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 ELSE GREATEST (0, EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))) END AS lag"
                  master: true
                  metrics:
                    - lag:
                        usage: "GAUGE"
                        description: "Replication lag behind master in seconds"
                """);
        spawn(Map.of("DATA_SOURCE_NAME", "postgresql://postgres@127.0.0.1:" + pg.port(EU) + "/postgres?sslmode=disable"),
                "prometheus-postgres-exporter", "--web.listen-address=127.0.0.1:" + pgPort, "--extend.query-path=" + queries);
        pgExporter = "http://127.0.0.1:" + pgPort + "/metrics";
        int myPort = io.replag.lab.Ports.free();
        spawn(Map.of("DATA_SOURCE_NAME", MariaDbLab.ADMIN + ":" + MariaDbLab.ADMIN + "@(127.0.0.1:" + mysql.ports().get(EU) + ")/"),
                "prometheus-mysqld-exporter", "--web.listen-address=127.0.0.1:" + myPort, "--collect.heartbeat",
                "--collect.heartbeat.database=heartbeat", "--collect.heartbeat.table=heartbeat", "--collect.heartbeat.utc");
        mysqlExporter = "http://127.0.0.1:" + myPort + "/metrics";
        awaitFigures();
    }

    private Process spawn(Map<String, String> env, String... command) throws IOException {
        Path log = Files.createTempFile("replag-compare-" + command[0] + "-", ".log");
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().putAll(env);
        Process p = b.start();
        processes.add(p);
        out.println("compare: started " + command[0] + " (log " + log + ")");
        return p;
    }

    /** Waits until every tool has a figure for the eu-west-1 replica (bounded). */
    private void awaitFigures() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, OptionalDouble> f = figures();
            if (f.values().stream().allMatch(OptionalDouble::isPresent)) {
                return;
            }
            LockSupport.parkNanos(SAMPLE.toNanos());
        }
        Map<String, OptionalDouble> f = figures();
        throw new IllegalStateException("compare: no figure within 60 s from " + f.entrySet().stream()
                .filter(e -> e.getValue().isEmpty()).map(Map.Entry::getKey).toList());
    }

    // --- figures ---------------------------------------------------------------------------

    static final String PG_REPLAG = "pg: replag", PG_REPLAG_NATIVE = "pg: replag native", PG_EXPORTER = "pg: postgres_exporter";
    static final String MY_REPLAG = "mysql: replag", MY_REPLAG_NATIVE = "mysql: replag native",
            MY_SBM = "mysql: mysqld_exporter SBM", MY_HEARTBEAT = "mysql: pt-heartbeat";

    /** Every tool's figure for the eu-west-1 replica now; empty where the tool shows none. */
    private Map<String, OptionalDouble> figures() {
        Map<String, OptionalDouble> f = new LinkedHashMap<>();
        f.put(PG_REPLAG, gauge("replag.lag.seconds", "postgres", null));
        f.put(PG_REPLAG_NATIVE, gauge("replag.native.lag.seconds", "postgres", null));
        String pgText = scrape(pgExporter);
        f.put(PG_EXPORTER, PromText.value(pgText, "pg_replication_lag", ""));
        f.put(MY_REPLAG, gauge("replag.lag.seconds", "mysql", null));
        f.put(MY_REPLAG_NATIVE, gauge("replag.native.lag.seconds", "mysql", "Seconds_Behind_Source"));
        String myText = scrape(mysqlExporter);
        f.put(MY_SBM, PromText.value(myText, "mysql_slave_status_seconds_behind_master", ""));
        OptionalDouble now = PromText.value(myText, "mysql_heartbeat_now_timestamp_seconds", "server_id=\"1\"");
        OptionalDouble stored = PromText.value(myText, "mysql_heartbeat_stored_timestamp_seconds", "server_id=\"1\"");
        f.put(MY_HEARTBEAT, now.isPresent() && stored.isPresent() ? OptionalDouble.of(now.getAsDouble() - stored.getAsDouble())
                : OptionalDouble.empty());
        return f;
    }

    private OptionalDouble gauge(String name, String store, String sourceMetric) {
        if (runtime == null) {
            return OptionalDouble.empty();
        }
        var search = runtime.registry().find(name).tags("store", store, "target_region", EU);
        if (sourceMetric != null) {
            search = search.tag("source_metric", sourceMetric);
        }
        var g = search.gauge();
        return g == null || Double.isNaN(g.value()) ? OptionalDouble.empty() : OptionalDouble.of(g.value());
    }

    private String scrape(String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Samples every figure every 250 ms for {@code duration}; {@code onSample} sees the elapsed seconds. */
    private Map<String, List<Double>> sample(Duration duration, java.util.function.BiConsumer<Double, Map<String, OptionalDouble>> onSample) {
        Map<String, List<Double>> series = new LinkedHashMap<>();
        long start = System.nanoTime();
        long next = start;
        while (System.nanoTime() - start < duration.toNanos()) {
            Map<String, OptionalDouble> f = figures();
            double elapsed = (System.nanoTime() - start) / 1e9;
            f.forEach((tool, v) -> series.computeIfAbsent(tool, k -> new ArrayList<>()).add(v.isPresent() ? v.getAsDouble() : Double.NaN));
            if (onSample != null) {
                onSample.accept(elapsed, f);
            }
            next += SAMPLE.toNanos();
            LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
        }
        return series;
    }

    private void links(Optional<Long> delayMs, Optional<Boolean> paused, boolean withMysql) throws Exception {
        pg.change(Demo.PRIMARY, EU, new LinkChange(delayMs, paused));
        if (withMysql) {
            mysql.change(Demo.PRIMARY, EU, new LinkChange(delayMs, paused));
        }
    }

    private void settle(Duration d) {
        LockSupport.parkNanos(d.toNanos()); // a phase boundary: let the last change take effect before sampling
    }

    // --- phases ----------------------------------------------------------------------------

    private String measure(boolean shortMode) throws Exception {
        Table table = new Table();
        for (long delay : plan.delaysMs) {
            boolean mysqlToo = delay % 1000 == 0;
            out.println("compare: delay " + delay + " ms");
            links(Optional.of(delay), Optional.empty(), mysqlToo);
            settle(Duration.ofMillis(delay + 3000));
            Map<String, List<Double>> s = sample(plan.window, null);
            table.row(String.format(Locale.ROOT, "delay %.2f s: median (p90) over %d s", delay / 1000.0, plan.window.toSeconds()),
                    String.format(Locale.ROOT, "%.2f s", delay / 1000.0),
                    tool -> tool.startsWith("mysql") && !mysqlToo ? "n/a (MASTER_DELAY is whole seconds)" : Table.medianP90(s.get(tool)));
            links(Optional.of(0L), Optional.empty(), mysqlToo);
            settle(Duration.ofMillis(delay + 2000));
        }

        out.println("compare: replication stopped at T");
        links(Optional.empty(), Optional.of(true), true);
        Map<String, Double> firstAbove = new LinkedHashMap<>();
        Map<String, List<Double>> stall = sample(plan.stall, (t, f) -> f.forEach((tool, v) -> {
            if (v.isPresent() && v.getAsDouble() > plan.detectAbove) {
                firstAbove.putIfAbsent(tool, t);
            }
        }));
        table.row(String.format(Locale.ROOT, "replication stopped at T: first above %.0f s", plan.detectAbove),
                String.format(Locale.ROOT, "T + %.0f s", plan.detectAbove),
                tool -> firstAbove.containsKey(tool) ? String.format(Locale.ROOT, "T + %.1f s", firstAbove.get(tool))
                        : "never (" + plan.stall.toSeconds() + " s)");
        table.row(String.format(Locale.ROOT, "replication stopped: figure after %d s", plan.stall.toSeconds()),
                String.format(Locale.ROOT, "%d s and growing", plan.stall.toSeconds()),
                tool -> Table.last(stall.get(tool)) + stoppedNote(tool));
        links(Optional.empty(), Optional.of(false), true);
        settle(Duration.ofSeconds(5));

        out.println("compare: no application writes (replag and pt-heartbeat still write their own rows)");
        Map<String, List<Double>> idleA = sample(plan.idle, null);
        table.row(String.format(Locale.ROOT, "healthy, no application writes, %d s: max", plan.idle.toSeconds()), "~0 s",
                tool -> Table.max(idleA.get(tool)));

        out.println("compare: nothing writes at all (replag and pt-heartbeat stopped)");
        runtime.stop().get(30, TimeUnit.SECONDS);
        runtime = null;
        heartbeat.destroy();
        heartbeat.waitFor(10, TimeUnit.SECONDS);
        Map<String, List<Double>> idleB = sample(plan.idle, null);
        table.row(String.format(Locale.ROOT, "healthy, nothing writes at all, %d s: max", plan.idle.toSeconds()), "~0 s",
                tool -> tool.contains("replag") ? "n/a (replag always writes its canary)" : Table.max(idleB.get(tool)));
        return table.render(shortMode);
    }

    private String stoppedNote(String tool) {
        if (runtime == null) {
            return "";
        }
        if (tool.equals(MY_REPLAG_NATIVE)) {
            var g = runtime.registry().find("replag.native.replication.stopped").tags("store", "mysql", "target_region", EU).gauge();
            return g != null && g.value() == 1 ? " + stopped=1" : "";
        }
        return "";
    }

    private void stop() {
        try {
            if (runtime != null) {
                runtime.stop().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            out.println("compare: stopping replag: " + e);
        }
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (lab != null) {
            lab.close();
        } else {
            if (pg != null) {
                pg.close();
            }
        }
    }

}
