package io.replag.agent.mysql;

import io.replag.agent.config.ConfigNode;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.StoreProvider;
import io.replag.agent.sql.SqlOptions;
import io.replag.agent.sql.SqlOptionsReader;
import io.vertx.core.Vertx;

/** The {@code mysql} store (MySQL, MariaDB, Aurora MySQL): config section {@code mysql:} of a single-writer set. */
public final class MySqlStoreProvider implements StoreProvider {

    @Override
    public String key() {
        return "mysql";
    }

    @Override
    public boolean multiWriter() {
        return false;
    }

    @Override
    public Object parseOptions(ConfigNode node) {
        SqlOptions.Builder b = SqlOptionsReader.read(node, SqlOptions.builder().database("replag").user("replag"));
        node.finish();
        return b.build();
    }

    @Override
    public CanaryStore create(Vertx vertx, ReplicationSet set) {
        return new MySqlCanaryStore(vertx, set);
    }
}
