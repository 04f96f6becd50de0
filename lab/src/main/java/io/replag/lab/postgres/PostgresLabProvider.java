package io.replag.lab.postgres;

import com.google.auto.service.AutoService;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.sql.SqlOptions;
import io.replag.lab.LabRegions;
import io.replag.lab.LabStore;
import io.replag.lab.LabStoreProvider;
import io.replag.lab.distance.Geography;

import java.util.Map;
import java.util.Optional;

/** The PostgreSQL lab in the demo: set {@code orders}, a primary streaming WAL to each replica. */
@AutoService(LabStoreProvider.class)
public final class PostgresLabProvider implements LabStoreProvider {
    public static final String SET = "orders";

    @Override
    public String store() {
        return "postgres";
    }

    @Override
    public LabStore start(LabRegions regions, Geography geography) throws Exception {
        return PostgresLab.start(regions.primary(), regions.replicas(), geography);
    }

    @Override
    public String setName() {
        return SET;
    }

    @Override
    public ReplicationSet demoSet(LabStore lab, LabRegions regions, Map<String, Endpoint> endpoints, ProbeTiming timing) {
        return new ReplicationSet(SET, store(), endpoints, ReplicationSet.singleWriter(regions.primary(), regions.replicas()), timing,
                SqlOptions.builder().database("postgres").user("postgres").build());
    }

    @Override
    public Optional<ReplicationSet> withWrongCredentials(ReplicationSet demo) {
        return Optional.of(LabStoreProvider.withOptions(demo, SqlOptions.builder().database("postgres").user("no_such_role").build()));
    }

    @Override
    public ReplicationSet withMissingResource(ReplicationSet demo) {
        return LabStoreProvider.withOptions(demo, SqlOptions.builder().database("postgres").user("postgres")
                .table("no_such_table").createTable(false).build());
    }
}
