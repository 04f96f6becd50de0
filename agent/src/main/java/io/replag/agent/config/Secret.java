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

    /** Equal values: a reload can tell an unchanged set (and keep its meters) from a changed one. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && java.security.MessageDigest.isEqual(
                value.getBytes(java.nio.charset.StandardCharsets.UTF_8), s.value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
