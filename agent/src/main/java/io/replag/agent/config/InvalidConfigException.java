package io.replag.agent.config;

import java.util.List;

/** A configuration that cannot be used; the message lists every error, one per line. */
public final class InvalidConfigException extends Exception {
    private final List<String> errors;

    public InvalidConfigException(String source, List<String> errors) {
        super(source + ": " + errors.size() + " error(s)\n  " + String.join("\n  ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
