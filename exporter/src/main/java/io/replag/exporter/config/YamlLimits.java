package io.replag.exporter.config;

import io.replag.agent.config.BoundedFiles;
import org.yaml.snakeyaml.LoaderOptions;

/** The YAML limits of every file replag reads (the config and the web config alike). */
public final class YamlLimits {
    private YamlLimits() {
    }

    /** No duplicate keys, at most 10 aliases, no recursive keys, nesting at most 50 deep, at most 1 MiB. */
    public static LoaderOptions options() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(50);
        options.setCodePointLimit(BoundedFiles.MAX_CONFIG_BYTES);
        return options;
    }
}
