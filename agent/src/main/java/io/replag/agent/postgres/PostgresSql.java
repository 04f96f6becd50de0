package io.replag.agent.postgres;

/**
 * The SQL of the PostgreSQL store, in one place so that docs/configuration.md can quote it. The
 * table name is validated as an identifier at config load, never taken from elsewhere.
 */
final class PostgresSql {
    private PostgresSql() {
    }

    /** One row per (agent, source region), overwritten on each write. */
    static String createTable(String table) {
        return "CREATE TABLE IF NOT EXISTS " + table + " ("
                + "agent text NOT NULL, "
                + "source_region text NOT NULL, "
                + "seq bigint NOT NULL, "
                + "written_at_us bigint NOT NULL, "
                + "PRIMARY KEY (agent, source_region))";
    }

    /** Overwrites only with a higher seq: a late or retried write never moves the row backwards. */
    static String write(String table) {
        return "INSERT INTO " + table + " AS c (agent, source_region, seq, written_at_us) VALUES ($1, $2, $3, $4) "
                + "ON CONFLICT (agent, source_region) DO UPDATE "
                + "SET seq = EXCLUDED.seq, written_at_us = EXCLUDED.written_at_us "
                + "WHERE c.seq < EXCLUDED.seq";
    }

    /** As {@link #write} with three parameters: written_at_us is the server's own clock as the row changes, no later than the commit. */
    static String writeServerTimed(String table) {
        return write(table).replace("VALUES ($1, $2, $3, $4)", "VALUES ($1, $2, $3, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)");
    }

    static String read(String table) {
        return "SELECT seq, written_at_us FROM " + table + " WHERE agent = $1 AND source_region = $2";
    }

    /** The server's clock now, in µs since the epoch. */
    static final String NOW_MICROS = "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint";

    /**
     * The canary as visible on this server, between two readings of its clock: {@code now()}, the
     * start of the statement's implicit transaction, before its snapshot was taken (at Bind), and
     * {@code clock_timestamp()}, evaluated after. Always one row; seq NULL when absent.
     * ({@code statement_timestamp()} would not do: the extended protocol sets it again at Execute,
     * after the snapshot.)
     */
    static String readTimed(String table) {
        return "SELECT (extract(epoch FROM now()) * 1000000)::bigint AS t_from, c.seq, c.written_at_us, "
                + "p.seq AS prev_seq, p.written_at_us AS prev_committed_us, "
                + "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS t_to "
                + "FROM (SELECT 1) AS one LEFT JOIN " + table + " AS c ON c.agent = $1 AND c.source_region = $2 "
                + "LEFT JOIN " + table + " AS p ON p.agent = $1 AND p.source_region = $3";
    }

    /**
     * Replay lag as the replica sees it. {@code now() - pg_last_xact_replay_timestamp()} alone
     * grows while the primary is merely idle; when everything received has been replayed the
     * replica is caught up, so that reads 0. While replag runs, its own canary commits keep the
     * primary from being idle, so the figure is live. NULL outside recovery (not a replica).
     */
    static final String NATIVE_REPLAY_LAG = "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL "
            + "WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0::float8 "
            + "ELSE EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))::float8 END AS lag_seconds";

    static final String NATIVE_SOURCE_METRIC = "pg_last_xact_replay_timestamp";

    /** Aurora PostgreSQL global databases, on the writer: one row per region of the global cluster. */
    static final String AURORA_GLOBAL_STATUS = "SELECT aws_region, durability_lag_in_msec, rpo_lag_in_msec FROM aurora_global_db_status()";
}
