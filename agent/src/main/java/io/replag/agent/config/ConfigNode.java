package io.replag.agent.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node of a parsed configuration tree (maps, lists, scalars as YAML gives them) that knows its
 * path. Readers ask for the keys they know; {@link #finish()} reports any other key as unknown.
 * A wrong value is recorded in {@link ConfigErrors} with the path and the value found, and the
 * read returns empty, so one pass reports every error.
 *
 * <p>String values may name environment variables as {@code ${NAME}}; secrets are never echoed in
 * error messages.
 */
public final class ConfigNode {
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern DURATION = Pattern.compile("(-?\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    private final String path;
    private final Object value;
    private final ConfigErrors errors;
    private final Function<String, String> env;
    private final Set<String> known = new LinkedHashSet<>();
    private boolean typeReported;

    private ConfigNode(String path, Object value, ConfigErrors errors, Function<String, String> env) {
        this.path = path;
        this.value = value;
        this.errors = errors;
        this.env = env;
    }

    public static ConfigNode root(Object tree, ConfigErrors errors, Function<String, String> env) {
        return new ConfigNode("", tree, errors, env);
    }

    public String path() {
        return path;
    }

    public boolean isPresent() {
        return value != null;
    }

    public ConfigErrors errors() {
        return errors;
    }

    /**
     * Adds an error at this node's path. A value that came from an environment variable is never
     * echoed, whatever the field: it may be a secret placed in the wrong key, so the message says
     * {@code ${NAME}} where the variable's value would appear.
     */
    public void error(String message) {
        if (value instanceof String raw) {
            Matcher m = ENV.matcher(raw);
            while (m.find()) {
                String v = env.apply(m.group(1));
                if (v != null && !v.isEmpty()) {
                    message = message.replace(v, "${" + m.group(1) + "}");
                }
            }
        }
        errors.add(path, message);
    }

    /** The child at {@code key} of this map node (missing if absent), and marks the key as known. */
    public ConfigNode get(String key) {
        known.add(key);
        Object child = asMap().map(m -> m.get(key)).orElse(null);
        return new ConfigNode(path.isEmpty() ? key : path + "." + key, child, errors, env);
    }

    /** The elements of this list node; a missing node is an empty list. */
    public List<ConfigNode> elements() {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            error("must be a list, found " + describe());
            return List.of();
        }
        List<ConfigNode> nodes = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            nodes.add(new ConfigNode(path + "[" + i + "]", list.get(i), errors, env));
        }
        return nodes;
    }

    /** Reports every key of this map node that no reader asked for. */
    public void finish() {
        asMap().ifPresent(m -> m.keySet().forEach(k -> {
            if (!known.contains(String.valueOf(k))) {
                errors.add(path.isEmpty() ? String.valueOf(k) : path + "." + k,
                        "unknown key (known here: " + String.join(", ", known) + ")");
            }
        }));
    }

    /** A path to a file that must be readable now (a CA bundle); records an error naming it otherwise. */
    public Optional<String> readableFile() {
        Optional<String> path = string();
        path.ifPresent(f -> {
            if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(f))) {
                error("cannot read \"" + f + "\"");
            }
        });
        return path;
    }

    /** True if this node holds a map; never records an error (for keys that take a scalar or a map). */
    public boolean holdsMap() {
        return value instanceof Map<?, ?>;
    }

    /** True if this node is a map (or absent); records an error if it is something else. */
    public boolean isMap() {
        return value == null || asMap().isPresent();
    }

    private Optional<Map<?, ?>> asMap() {
        if (value instanceof Map<?, ?> m) {
            return Optional.of(m);
        }
        if (value != null && !typeReported) {
            typeReported = true;
            error("must be a mapping of keys to values, found " + describe());
        }
        return Optional.empty();
    }

    // --- scalars --------------------------------------------------------------------------

    public Optional<String> string() {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map || value instanceof List) {
            error("must be a single value, found " + describe());
            return Optional.empty();
        }
        String raw = String.valueOf(value);
        Matcher m = ENV.matcher(raw);
        StringBuilder out = new StringBuilder();
        boolean ok = true;
        while (m.find()) {
            String v = env.apply(m.group(1));
            if (v == null) {
                error("environment variable " + m.group(1) + " is not set");
                ok = false;
                v = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return ok ? Optional.of(out.toString()) : Optional.empty();
    }

    public String string(String fallback) {
        return string().orElse(fallback);
    }

    /** A required non-empty string. */
    public Optional<String> requiredString() {
        if (value == null) {
            error("is required");
            return Optional.empty();
        }
        Optional<String> s = string();
        if (s.isPresent() && s.get().isBlank()) {
            error("must not be empty");
            return Optional.empty();
        }
        return s;
    }

    /** A string matching {@code pattern}; {@code expected} says what it should look like. */
    public Optional<String> matching(Pattern pattern, String expected) {
        return string().filter(s -> {
            if (pattern.matcher(s).matches()) {
                return true;
            }
            error("must be " + expected + ", found \"" + s + "\"");
            return false;
        });
    }

    /** A secret: never echoed in errors. */
    public Optional<Secret> secret() {
        return string().map(Secret::of);
    }

    /**
     * A secret given either inline ({@code <key>}, e.g. {@code ${ENV}}) or as a file
     * ({@code <key>_file}) under this map node, never both; present if either is.
     */
    public Optional<Secret> secretOrFile(String key) {
        ConfigNode inline = get(key);
        ConfigNode file = get(key + "_file");
        if (inline.isPresent() && file.isPresent()) {
            file.error("give " + key + " or " + key + "_file, not both");
        }
        return inline.secret().or(file::secretFile);
    }

    /** A duration within [{@code min}, {@code max}] (inclusive), e.g. a clock error bound of 0s to 10s. */
    public Optional<Duration> durationWithin(Duration min, Duration max) {
        return duration(min.isZero()).filter(d -> {
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                error("must be " + bound(min) + " to " + bound(max) + ", found " + d.toMillis() + "ms");
                return false;
            }
            return true;
        });
    }

    private static String bound(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** A file's content, trailing newline removed, as a secret. */
    public Optional<Secret> secretFile() {
        return string().flatMap(file -> {
            try {
                return Optional.of(Secret.of(BoundedFiles.read(Path.of(file), BoundedFiles.MAX_SECRET_BYTES).stripTrailing()));
            } catch (IOException e) {
                error("cannot read \"" + file + "\": " + (e.getMessage() != null && e.getClass() == IOException.class
                        ? e.getMessage() : e.getClass().getSimpleName()));
                return Optional.empty();
            }
        });
    }

    public Optional<Boolean> bool() {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Boolean b) {
            return Optional.of(b);
        }
        Optional<String> s = string();
        if (s.isPresent() && (s.get().equals("true") || s.get().equals("false"))) {
            return Optional.of(Boolean.parseBoolean(s.get()));
        }
        error("must be true or false, found " + describe());
        return Optional.empty();
    }

    public Optional<Double> number() {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Number n) {
            return Optional.of(n.doubleValue());
        }
        try {
            return string().map(Double::parseDouble);
        } catch (NumberFormatException e) {
            error("must be a number, found " + describe());
            return Optional.empty();
        }
    }

    /** A number within [min, max]. */
    public Optional<Double> number(double min, double max) {
        return number().filter(d -> {
            if (d >= min && d <= max) {
                return true;
            }
            error("must be between " + min + " and " + max + ", found " + describe());
            return false;
        });
    }

    /** A duration such as {@code 250ms}, {@code 1s}, {@code 2m}, {@code 1h}, strictly positive. */
    public Optional<Duration> duration() {
        return duration(false);
    }

    private Optional<Duration> duration(boolean zeroAllowed) {
        Optional<String> s = string();
        if (s.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = DURATION.matcher(s.get().trim());
        if (!m.matches()) {
            error("must be a duration such as 250ms, 1s, 2m or 1h, found \"" + s.get() + "\"");
            return Optional.empty();
        }
        double amount = Double.parseDouble(m.group(1));
        if (amount < 0 || amount == 0 && !zeroAllowed) {
            error((zeroAllowed ? "must be >= 0, found " : "must be > 0, found ") + s.get());
            return Optional.empty();
        }
        double millis = switch (m.group(2)) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            default -> amount * 3_600_000;
        };
        return Optional.of(Duration.ofNanos((long) (millis * 1_000_000)));
    }

    private String describe() {
        if (value instanceof Map) {
            return "a mapping";
        }
        if (value instanceof List) {
            return "a list";
        }
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }

    /** Keys of this map node in file order, for readers that take arbitrary keys. */
    public List<String> keys() {
        return asMap().map(m -> m.keySet().stream().map(String::valueOf).toList()).orElse(List.of());
    }
}
