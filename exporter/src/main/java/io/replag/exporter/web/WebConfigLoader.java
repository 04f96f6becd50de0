package io.replag.exporter.web;

import io.replag.agent.config.ConfigErrors;
import io.replag.agent.config.ConfigNode;
import io.replag.agent.config.InvalidConfigException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads an exporter-toolkit web config file:
 * <pre>
 * tls_server_config:
 *   cert_file: server.crt
 *   key_file: server.key
 * basic_auth_users:
 *   prometheus: $2y$10$...   # bcrypt
 * </pre>
 * Keys replag does not implement (client certificates, cipher choices, http_server_config) are
 * refused by name rather than ignored, so nobody believes a setting is in force when it is not.
 * Relative paths are resolved against the file's directory, as the exporter-toolkit does.
 */
public final class WebConfigLoader {
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]?\\$\\d{2}\\$[./A-Za-z0-9]{53}");

    private WebConfigLoader() {
    }

    public static WebConfig load(Path file) throws InvalidConfigException {
        String text;
        try {
            text = io.replag.agent.config.BoundedFiles.read(file, io.replag.agent.config.BoundedFiles.MAX_CONFIG_BYTES);
        } catch (IOException e) {
            throw new InvalidConfigException(file.toString(), List.of("cannot read the file: "
                    + (e.getClass() == IOException.class ? e.getMessage() : e.getClass().getSimpleName())));
        }
        Object tree;
        try {
            tree = new Yaml(new SafeConstructor(io.replag.exporter.config.YamlLimits.options())).load(text);
        } catch (YAMLException e) {
            throw new InvalidConfigException(file.toString(), List.of("not valid YAML: " + e.getMessage().replaceAll("\\s+", " ")));
        }
        if (tree == null) {
            return WebConfig.NONE;
        }
        ConfigErrors errors = new ConfigErrors();
        ConfigNode root = ConfigNode.root(tree, errors, name -> null);
        Path dir = file.toAbsolutePath().getParent();
        Optional<WebConfig.Tls> tls = Optional.empty();
        ConfigNode tlsNode = root.get("tls_server_config");
        if (tlsNode.isPresent() && tlsNode.isMap()) {
            Optional<String> cert = readable(tlsNode.get("cert_file"), dir);
            Optional<String> key = readable(tlsNode.get("key_file"), dir);
            tlsNode.finish();
            if (cert.isPresent() && key.isPresent()) {
                tls = Optional.of(new WebConfig.Tls(cert.get(), key.get()));
            }
        }
        Map<String, String> users = new LinkedHashMap<>();
        ConfigNode usersNode = root.get("basic_auth_users");
        if (tree instanceof Map<?, ?> top && top.containsKey("basic_auth_users") && usersNode.keys().isEmpty()) {
            // an empty list must not silently mean "no authentication"
            usersNode.error("lists no user: add at least one (user: bcrypt hash), or leave basic_auth_users out to run without authentication");
        }
        if (usersNode.isPresent() && usersNode.isMap()) {
            for (String user : usersNode.keys()) {
                ConfigNode hash = usersNode.get(user);
                hash.string().ifPresent(h -> {
                    if (BCRYPT.matcher(h).matches()) {
                        users.put(user, h);
                    } else {
                        hash.error("must be a bcrypt hash ($2y$10$... as htpasswd -nBC 10 makes), found something else");
                    }
                });
            }
        }
        root.finish();
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(file.toString(), errors.list());
        }
        return new WebConfig(tls, users);
    }

    private static Optional<String> readable(ConfigNode node, Path dir) {
        return node.requiredString().flatMap(f -> {
            Path p = dir.resolve(f);
            if (!Files.isReadable(p)) {
                node.error("cannot read \"" + p + "\"");
                return Optional.empty();
            }
            return Optional.of(p.toString());
        });
    }
}
