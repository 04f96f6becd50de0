package io.replag.agent.s3;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicationStatusTest {

    @ParameterizedTest(name = "header \"{0}\" is {1}")
    @CsvSource(value = {"PENDING,PENDING", "COMPLETED,COMPLETED", "COMPLETE,COMPLETED", "FAILED,FAILED", "REPLICA,REPLICA",
            "failed,FAILED", "' COMPLETED ',COMPLETED", "'',NONE", "NULL,NONE"}, nullValues = "NULL")
    void headerValuesMapToExportedStatuses(String header, String exported) {
        assertThat(ReplicationStatus.of(header)).isEqualTo(exported);
    }
}
