package io.replag.agent.spi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One run of {@code replag burst}: its records are numbered 0 to n-1 and live under keys of their
 * own, {@code burst/<agent>/<id>/<i>}, never a canary's ({@code <agent>/<source>}): a store puts
 * that path under its usual prefix, so the least rights that reach the canaries reach these too,
 * and cleaning up by the run's prefix never touches a canary.
 *
 * @param agent the agent id of the configuration
 * @param id    the run's id, unique per run (a time stamp), letters, digits and '-'
 */
public record BurstRun(String agent, String id) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,40}");

    public BurstRun {
        Objects.requireNonNull(agent, "agent");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("burst run id: letters, digits and '-', at most 40, found \"" + id + "\"");
        }
    }

    /** Every record of the run starts with this; stores clean up by it. */
    public String prefix() {
        return "burst/" + agent + "/" + id + "/";
    }

    /** The record's path, {@code burst/<agent>/<id>/<i>}. */
    public String key(long index) {
        return prefix() + index;
    }
}
