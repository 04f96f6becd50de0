package io.replag.agent.config;

import java.util.ArrayList;
import java.util.List;

/** Every problem found in one pass over a configuration, each naming its field path. */
public final class ConfigErrors {
    private final List<String> errors = new ArrayList<>();

    public void add(String path, String message) {
        errors.add((path.isEmpty() ? "(root)" : path) + ": " + message);
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<String> list() {
        return List.copyOf(errors);
    }
}
