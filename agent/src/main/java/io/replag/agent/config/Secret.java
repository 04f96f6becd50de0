package io.replag.agent.config;

import java.util.Objects;

/**
 * A credential read from the environment or a file. Its {@code toString} never shows the value,
 * so a secret cannot leak through a record's toString, a log line or an error message.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value);
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The value, for the one call that needs it (a connection's password). */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "<secret>";
    }
}
