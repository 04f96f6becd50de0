package io.replag.agent.postgres;

import com.google.auto.service.AutoService;
import io.replag.agent.sql.SqlOptions;
import io.replag.agent.sql.SqlOptionsReader;

import io.replag.agent.config.ConfigNode;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.spi.CanaryStore;
import io.replag.agent.spi.StoreProvider;
import io.vertx.core.Vertx;


/** The {@code postgres} store: config section {@code postgres:} of a single-writer set. */
@AutoService(StoreProvider.class)
public final class PostgresStoreProvider implements StoreProvider<SqlOptions> {

    @Override
    public String key() {
        return "postgres";
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
        SqlOptions.Builder b = SqlOptionsReader.read(node, SqlOptions.builder().database("postgres").user("postgres"));
        node.finish();
        return b.build();
    }

    @Override
    public CanaryStore create(Vertx vertx, ReplicationSet set, SqlOptions options) {
        return new PostgresCanaryStore(vertx, set, options);
    }
}
