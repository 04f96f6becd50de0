package io.replag.tools.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The comparison's rows, rendered as one Markdown table per engine. */
final class Table {
    private static final List<String> PG = List.of(Comparison.PG_REPLAG, Comparison.PG_REPLAG_NATIVE, Comparison.PG_EXPORTER);
    private static final List<String> MY = List.of(Comparison.MY_REPLAG, Comparison.MY_REPLAG_NATIVE, Comparison.MY_SBM,
            Comparison.MY_HEARTBEAT);

    /** Cells are computed when the row is added: some read state (replag's registry) that a later phase ends. */
    private record Row(String scenario, String truth, java.util.Map<String, String> cells) {
    }

    private final List<Row> rows = new ArrayList<>();

    void row(String scenario, String truth, Function<String, String> cell) {
        java.util.Map<String, String> cells = new java.util.HashMap<>();
        for (String tool : PG) {
            cells.put(tool, cell.apply(tool));
        }
        for (String tool : MY) {
            cells.put(tool, cell.apply(tool));
        }
        rows.add(new Row(scenario, truth, cells));
    }

    String render(boolean shortMode) {
        StringBuilder out = new StringBuilder();
        out.append("PostgreSQL 14, replica eu-west-1 (lab: streaming replication; delay = recovery_min_apply_delay, stop = pg_wal_replay_pause())")
                .append(shortMode ? ", short mode" : "").append("\n\n");
        table(out, PG, List.of("replag `replag_lag_seconds`", "replag native (`pg_last_xact_replay_timestamp`, 0 when all received is replayed)",
                "postgres_exporter `pg_replication_lag`"));
        out.append("\nMariaDB 10.11, replica eu-west-1 (lab: binlog replication; delay = MASTER_DELAY, stop = STOP SLAVE SQL_THREAD)")
                .append(shortMode ? ", short mode" : "").append("\n\n");
        table(out, MY, List.of("replag `replag_lag_seconds`", "replag native (`Seconds_Behind_Source`)",
                "mysqld_exporter `mysql_slave_status_seconds_behind_master`",
                "mysqld_exporter heartbeat (pt-heartbeat): now - stored"));
        return out.toString();
    }

    private void table(StringBuilder out, List<String> tools, List<String> headers) {
        out.append("| scenario | truth | ").append(String.join(" | ", headers)).append(" |\n");
        out.append("|---|---|").append("---|".repeat(headers.size())).append("\n");
        for (Row r : rows) {
            out.append("| ").append(r.scenario).append(" | ").append(r.truth).append(" |");
            for (String tool : tools) {
                out.append(' ').append(r.cells.get(tool)).append(" |");
            }
            out.append('\n');
        }
    }

    static List<Double> present(List<Double> values) {
        return values == null ? List.of() : values.stream().filter(v -> !Double.isNaN(v)).sorted().toList();
    }

    private static String missing(List<Double> values) {
        return values == null || values.isEmpty() ? "absent" : "absent (NULL)";
    }

    static String medianP90(List<Double> values) {
        List<Double> p = present(values);
        if (p.isEmpty()) {
            return missing(values);
        }
        return String.format(Locale.ROOT, "%.2f (%.2f)", p.get(p.size() / 2), p.get((int) Math.min(p.size() - 1, Math.floor(p.size() * 0.9))))
                + (p.size() < values.size() ? ", absent " + (values.size() - p.size()) + "/" + values.size() : "");
    }

    static String max(List<Double> values) {
        List<Double> p = present(values);
        if (p.isEmpty()) {
            return missing(values);
        }
        return String.format(Locale.ROOT, "%.2f", p.get(p.size() - 1))
                + (p.size() < values.size() ? ", absent " + (values.size() - p.size()) + "/" + values.size() : "");
    }

    static String last(List<Double> values) {
        if (values == null || values.isEmpty()) {
            return "absent";
        }
        double v = values.get(values.size() - 1);
        return Double.isNaN(v) ? "absent (NULL)" : String.format(Locale.ROOT, "%.2f", v);
    }
}
