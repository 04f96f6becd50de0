package io.replag.agent.mysql;

/**
 * The SQL of the MySQL/MariaDB store, in one place so that docs/configuration.md can quote it.
 * The table name is validated as an identifier at config load, never taken from elsewhere.
 */
final class MySqlSql {
    private MySqlSql() {
    }

    /** One row per (agent, source region), overwritten on each write. */
    static String createTable(String table) {
        return "CREATE TABLE IF NOT EXISTS " + table + " ("
                + "agent VARCHAR(128) NOT NULL, "
                + "source_region VARCHAR(64) NOT NULL, "
                + "seq BIGINT NOT NULL, "
                + "written_at_us BIGINT NOT NULL, "
                + "PRIMARY KEY (agent, source_region)) ENGINE=InnoDB";
    }

    /**
     * Overwrites only with a higher seq: a late or retried write never moves the row backwards.
     * MySQL assigns left to right, so the time is decided before seq changes. With affected-rows
     * counting, 1 is an insert, 2 an update, 0 a refused (stale) write. {@code VALUES()} rather
     * than a row alias: MariaDB has no row alias, MySQL 8 only warns.
     */
    static String write(String table) {
        return "INSERT INTO " + table + " (agent, source_region, seq, written_at_us) VALUES (?, ?, ?, ?) "
                + "ON DUPLICATE KEY UPDATE "
                + "written_at_us = IF(VALUES(seq) > seq, VALUES(written_at_us), written_at_us), "
                + "seq = GREATEST(seq, VALUES(seq))";
    }

    /** As {@link #write} with three parameters: written_at_us is the server's own clock as the row changes, no later than the commit. */
    static String writeServerTimed(String table) {
        return write(table).replace("VALUES (?, ?, ?, ?)", "VALUES (?, ?, ?, CAST(UNIX_TIMESTAMP(SYSDATE(6)) * 1000000 AS SIGNED))");
    }

    static String read(String table) {
        return "SELECT seq, written_at_us FROM " + table + " WHERE agent = ? AND source_region = ?";
    }

    /** The server's clock now, in µs since the epoch ({@code SYSDATE(6)}: the time of evaluation, not of the statement's start). */
    static final String NOW_MICROS = "SELECT CAST(UNIX_TIMESTAMP(SYSDATE(6)) * 1000000 AS SIGNED)";

    /**
     * The canary as visible on this server, between two readings of its clock: {@code NOW(6)}, the
     * statement's start, before InnoDB's read view is made, and {@code SYSDATE(6)}, evaluated as the
     * row is sent, after. Always one row; seq NULL when absent.
     */
    static String readTimed(String table) {
        return "SELECT CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS SIGNED) AS t_from, c.seq, c.written_at_us, "
                + "p.seq AS prev_seq, p.written_at_us AS prev_committed_us, "
                + "CAST(UNIX_TIMESTAMP(SYSDATE(6)) * 1000000 AS SIGNED) AS t_to "
                + "FROM (SELECT 1 AS one) AS o LEFT JOIN " + table + " AS c ON c.agent = ? AND c.source_region = ? "
                + "LEFT JOIN " + table + " AS p ON p.agent = ? AND p.source_region = ?";
    }

    /** MySQL 8.0.22+ and MariaDB 10.5.1+; older servers know only {@link #SLAVE_STATUS}. */
    static final String REPLICA_STATUS = "SHOW REPLICA STATUS";
    static final String SLAVE_STATUS = "SHOW SLAVE STATUS";

    /** Aurora MySQL global databases, on the writer: one row per region of the global cluster. */
    static final String AURORA_GLOBAL_STATUS = "SELECT AWS_REGION, DURABILITY_LAG_IN_MILLISECONDS, RPO_LAG_IN_MILLISECONDS "
            + "FROM information_schema.aurora_global_db_status";
}
