package io.replag.lab;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the SQL labs' {@link LabStore#observe} share: a JDBC connection of its own per region,
 * kept open, and the canary table read once replag has created it (asked first without an error:
 * drivers log every error answer, and the observer asks every few ms).
 */
public final class SqlObserver implements AutoCloseable {
    /** Opens a connection to a region's server. */
    @FunctionalInterface
    public interface Connector {
        Connection connect(String region) throws SQLException;
    }

    private final Connector connector;
    private final String tableExists;
    private final String canaries;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Set<String> tableSeen = ConcurrentHashMap.newKeySet();

    /**
     * @param tableExists a query answering one row with a count, 0 while the canary table is absent
     * @param canaries    a query answering agent, source_region, seq for every canary
     */
    public SqlObserver(Connector connector, String tableExists, String canaries) {
        this.connector = connector;
        this.tableExists = tableExists;
        this.canaries = canaries;
    }

    public List<ObservedCanary> observe(String region) throws SQLException {
        Connection c = connections.get(region);
        if (c == null || c.isClosed()) {
            c = connector.connect(region);
            connections.put(region, c);
        }
        List<ObservedCanary> out = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            if (!tableSeen.contains(region)) {
                try (ResultSet rs = s.executeQuery(tableExists)) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        return out;
                    }
                    tableSeen.add(region);
                }
            }
            try (ResultSet rs = s.executeQuery(canaries)) {
                while (rs.next()) {
                    out.add(new ObservedCanary(rs.getString(1), rs.getString(2), rs.getLong(3)));
                }
            }
        } catch (SQLException e) {
            connections.remove(region);
            c.close();
            throw e;
        }
        return out;
    }

    @Override
    public void close() {
        connections.values().forEach(c -> {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the server goes too
            }
        });
    }
}
