package io.replag.agent.postgres;

import io.replag.agent.sql.SqlOptions;
import io.replag.agent.sql.SqlOptionsReader;

import io.replag.agent.config.ConfigNode;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.StoreProvider;
import io.vertx.core.Vertx;


/** The {@code postgres} store: config section {@code postgres:} of a single-writer set. */
public final class PostgresStoreProvider implements StoreProvider {

    @Override
    public String key() {
        return "postgres";
    }

    @Override
    public boolean multiWriter() {
        return false;
    }

    @Override
    public Object parseOptions(ConfigNode node) {
        SqlOptions.Builder b = SqlOptionsReader.read(node, SqlOptions.builder());
        node.finish();
        return b.build();
    }

    @Override
    public CanaryStore create(Vertx vertx, ReplicationSet set) {
        return new PostgresCanaryStore(vertx, set);
    }
}
