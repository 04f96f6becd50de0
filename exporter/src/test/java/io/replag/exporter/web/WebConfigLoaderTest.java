package io.replag.exporter.web;

import io.replag.agent.config.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebConfigLoaderTest {

    @Test
    void anEmptyUserListIsRefusedNotTakenForNoAuthentication(@TempDir Path dir) throws Exception {
        for (String empty : new String[] {"basic_auth_users:\n", "basic_auth_users: {}\n"}) {
            Path f = Files.writeString(dir.resolve("web.yml"), empty);
            assertThatThrownBy(() -> WebConfigLoader.load(f)).isInstanceOf(InvalidConfigException.class)
                    .hasMessageContaining("basic_auth_users: lists no user");
        }
    }

    @Test
    void theWebConfigHasTheSameYamlLimitsAsTheConfig(@TempDir Path dir) throws Exception {
        StringBuilder bomb = new StringBuilder("a: &a [x, x]\n");
        for (int i = 1; i <= 12; i++) {
            bomb.append("b").append(i).append(": &b").append(i).append(" [*a, *a]\n");
        }
        Path f = Files.writeString(dir.resolve("web.yml"), bomb.toString());
        assertThatThrownBy(() -> WebConfigLoader.load(f)).isInstanceOf(InvalidConfigException.class).hasMessageContaining("not valid YAML");
        Path complexKey = Files.writeString(dir.resolve("keys.yml"), "? [a, b]\n: 1\n");
        assertThatThrownBy(() -> WebConfigLoader.load(complexKey)).isInstanceOf(InvalidConfigException.class);
    }

    @Test
    void onlyARegularFileOfBoundedSizeIsRead(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> WebConfigLoader.load(Path.of("/dev/zero"))).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("not a regular file");
        Path big = Files.writeString(dir.resolve("big.yml"), "# " + "x".repeat(2 << 20));
        assertThatThrownBy(() -> WebConfigLoader.load(big)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("larger than");
    }
}
