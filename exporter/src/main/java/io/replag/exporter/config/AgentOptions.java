package io.replag.exporter.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where this agent runs and how far its clock may be off.
 *
 * @param region        per-region mode: the region this agent runs in (it writes only that region's
 *                      canaries and reads only there); empty for single-process mode
 * @param clockMaxError the clock error bound when chrony cannot be read
 * @param chrony        read the bound from {@code chronyc -c tracking}, as AWS ClockBound does
 */
public record AgentOptions(Optional<String> region, Duration clockMaxError, boolean chrony) {
    public static final Duration DEFAULT_CLOCK_MAX_ERROR = Duration.ofMillis(10);
    public static final AgentOptions DEFAULT = new AgentOptions(Optional.empty(), DEFAULT_CLOCK_MAX_ERROR, true);

    public AgentOptions {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(clockMaxError, "clockMaxError");
    }

    public AgentOptions withRegion(String r) {
        return new AgentOptions(Optional.of(r), clockMaxError, chrony);
    }
}
