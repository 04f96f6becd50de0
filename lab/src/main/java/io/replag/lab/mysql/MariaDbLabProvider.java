package io.replag.lab.mysql;

import com.google.auto.service.AutoService;
import io.replag.agent.config.Endpoint;
import io.replag.agent.config.ProbeTiming;
import io.replag.agent.config.ReplicationSet;
import io.replag.agent.config.Secret;
import io.replag.agent.sql.SqlOptions;
import io.replag.lab.LabRegions;
import io.replag.lab.LabStore;
import io.replag.lab.LabStoreProvider;
import io.replag.lab.distance.Geography;

import java.util.Map;
import java.util.Optional;

/** The MySQL lab in the demo: set {@code inventory}, a MariaDB primary with a binlog replica in each other region. */
@AutoService(LabStoreProvider.class)
public final class MariaDbLabProvider implements LabStoreProvider {
    public static final String SET = "inventory";

    @Override
    public String store() {
        return "mysql";
    }

    @Override
    public LabStore start(LabRegions regions, Geography geography) throws Exception {
        return MariaDbLab.start(regions.primary(), regions.replicas(), geography);
    }

    @Override
    public String setName() {
        return SET;
    }

    @Override
    public ReplicationSet demoSet(LabStore lab, LabRegions regions, Map<String, Endpoint> endpoints, ProbeTiming timing) {
        return new ReplicationSet(SET, store(), endpoints, ReplicationSet.singleWriter(regions.primary(), regions.replicas()), timing,
                SqlOptions.builder().database(MariaDbLab.DATABASE).user(MariaDbLab.USER).password(Secret.of(MariaDbLab.PASSWORD)).build());
    }

    @Override
    public Optional<ReplicationSet> withWrongCredentials(ReplicationSet demo) {
        return Optional.of(LabStoreProvider.withOptions(demo, SqlOptions.builder().database(MariaDbLab.DATABASE).user(MariaDbLab.USER)
                .password(Secret.of("not-the-password")).build()));
    }

    @Override
    public ReplicationSet withMissingResource(ReplicationSet demo) {
        return LabStoreProvider.withOptions(demo, SqlOptions.builder().database(MariaDbLab.DATABASE).user(MariaDbLab.USER)
                .password(Secret.of(MariaDbLab.PASSWORD)).table("no_such_table").createTable(false).build());
    }
}
