package io.replag.agent.mysql;

import com.google.auto.service.AutoService;
import io.replag.agent.config.ConfigNode;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.StoreProvider;
import io.replag.agent.sql.SqlOptions;
import io.replag.agent.sql.SqlOptionsReader;
import io.vertx.core.Vertx;

/** The {@code mysql} store (MySQL, MariaDB, Aurora MySQL): config section {@code mysql:} of a single-writer set. */
@AutoService(StoreProvider.class)
public final class MySqlStoreProvider implements StoreProvider<SqlOptions> {

    @Override
    public String key() {
        return "mysql";
    }

    @Override
    public Class<SqlOptions> optionsType() {
        return SqlOptions.class;
    }

    @Override
    public java.util.Set<io.replag.agent.spi.Topology> topologies() {
        return java.util.Set.of(io.replag.agent.spi.Topology.PRIMARY_REPLICAS);
    }

    @Override
    public SqlOptions parseOptions(ConfigNode node, java.util.List<String> regions) {
        SqlOptions.Builder b = SqlOptionsReader.read(node, SqlOptions.builder().database("replag").user("replag"));
        node.finish();
        return b.build();
    }

    @Override
    public CanaryStore create(Vertx vertx, ReplicationSet set, SqlOptions options) {
        return new MySqlCanaryStore(vertx, set, options);
    }
}
