package io.replag.agent.sql;

import io.replag.agent.spi.BurstRecords;
import io.replag.agent.spi.BurstRun;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The SQL stores' side of {@code replag burst}: the run's records are rows of the canary table
 * (no new table, no new column) with {@code agent = burst/<agent>/<run>/<i>} and
 * {@code source_region} the source: the primary key's leading column tells them apart, so a read
 * of 200 records is 200 index lookups whatever the run's size, and a canary row's agent never
 * starts with {@code burst/}. Writes are multi-row INSERTs on the writer, reads one {@code IN}
 * list on each replica, both on their own pipelined connections, so the burst never queues the
 * canary's calls; the cleanup deletes by the run's prefix ({@code LIKE}).
 */
final class SqlBurstRecords implements BurstRecords {
    static final int WRITE_BATCH = 100;
    static final int READ_BATCH = 200;

    private final String table;
    private final IntFunction<String> placeholder;
    private final Function<String, SqlClient> client;

    /**
     * @param placeholder the engine's parameter marker for the n-th parameter, from 1 ({@code $n}, {@code ?})
     * @param client      the burst's client for a region
     */
    SqlBurstRecords(String table, IntFunction<String> placeholder, Function<String, SqlClient> client) {
        this.table = table;
        this.placeholder = placeholder;
        this.client = client;
    }

    /** The LIKE pattern of the run's rows: its prefix, with LIKE's own characters escaped. */
    static String runPattern(BurstRun run) {
        return run.prefix().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    @Override
    public int writeBatch() {
        return WRITE_BATCH;
    }

    @Override
    public int readBatch() {
        return READ_BATCH;
    }

    String insert(int rows) {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (agent, source_region, seq, written_at_us) VALUES ");
        for (int r = 0; r < rows; r++) {
            int p = r * 4;
            sql.append(r == 0 ? "" : ", ").append('(').append(placeholder.apply(p + 1)).append(", ").append(placeholder.apply(p + 2))
                    .append(", ").append(placeholder.apply(p + 3)).append(", ").append(placeholder.apply(p + 4)).append(')');
        }
        return sql.toString();
    }

    String select(int ids) {
        StringBuilder sql = new StringBuilder("SELECT agent FROM ").append(table).append(" WHERE agent IN (");
        for (int i = 0; i < ids; i++) {
            sql.append(i == 0 ? "" : ", ").append(placeholder.apply(i + 1));
        }
        return sql.append(')').toString();
    }

    String delete() {
        return "DELETE FROM " + table + " WHERE agent LIKE " + placeholder.apply(1);
    }

    @Override
    public Future<List<Long>> write(String region, BurstRun run, List<Long> indexes, long writtenAtMicros) {
        Tuple args = Tuple.tuple();
        for (long i : indexes) {
            args.addString(run.key(i)).addString(region).addLong(i + 1).addLong(writtenAtMicros);
        }
        return client.apply(region).preparedQuery(insert(indexes.size())).execute(args).map(rows -> List.of());
    }

    @Override
    public Future<Read> read(String region, BurstRun run, List<Long> indexes) {
        Tuple args = Tuple.tuple();
        indexes.forEach(i -> args.addString(run.key(i)));
        int prefix = run.prefix().length();
        return client.apply(region).preparedQuery(select(indexes.size())).execute(args).map(rows -> {
            List<Long> visible = new ArrayList<>(rows.size());
            for (Row row : rows) {
                visible.add(Long.parseLong(row.getString(0).substring(prefix)));
            }
            return Read.of(visible);
        });
    }

    /** SQL engines bill no requests: the rows' replication traffic, and on Aurora Standard its I/O. */
    @Override
    public String costEstimate(long records, int targets, double readsPerRecord) {
        double gb = records * 300.0 * 2 * targets / 1e9; // ~300 bytes of WAL or binlog per row, written and deleted
        return String.format(java.util.Locale.ROOT, "no request prices; ~%.3f GB of replication traffic (insert and delete) at $0.02/GB "
                + "inter-region: about $%.2f; Aurora Standard adds ~%d write I/Os ($0.20 per million)",
                gb, gb * 0.02, records / WRITE_BATCH * 2 * (targets + 1));
    }

    /** One DELETE on the writer: replication removes the rows from every replica. */
    @Override
    public Future<String> cleanup(String region, BurstRun run, long records) {
        return client.apply(region).preparedQuery(delete()).execute(Tuple.of(runPattern(run)))
                .map(rows -> "deleted " + rows.rowCount() + " rows (agent LIKE '" + runPattern(run) + "') on the writer; replication removes them from the replicas");
    }
}
