package io.replag.exporter.config;

import io.replag.agent.config.Secret;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where this agent runs, how far its clock may be off, and which agents it asks for region health.
 *
 * @param region        per-region mode: the region this agent runs in (it writes only that region's
 *                      canaries and reads only there); empty for single-process mode
 * @param clockMaxError the clock error bound when chrony cannot be read
 * @param chrony        read the bound from {@code chronyc -c tracking}, as AWS ClockBound does
 * @param peers         the agents of the other regions, asked for their evidence so that region
 *                      health answers from a quorum of agents (per-region mode)
 * @param peerAuth      basic auth for the peers' web config, if they have one
 * @param peerCaFile    the CA that signs the peers' TLS certificates (https peers), else the JVM's trust
 */
public record AgentOptions(Optional<String> region, Duration clockMaxError, boolean chrony, List<Peer> peers,
                           Optional<PeerAuth> peerAuth, Optional<String> peerCaFile) {
    public static final Duration DEFAULT_CLOCK_MAX_ERROR = Duration.ofMillis(10);
    public static final AgentOptions DEFAULT = new AgentOptions(Optional.empty(), DEFAULT_CLOCK_MAX_ERROR, true, List.of(),
            Optional.empty(), Optional.empty());

    /** Another region's agent: where its HTTP server answers. */
    public record Peer(String region, URI url) {
        public Peer {
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(url, "url");
        }
    }

    /** The user and password this agent presents to its peers. */
    public record PeerAuth(String username, Secret password) {
    }

    public AgentOptions {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(clockMaxError, "clockMaxError");
        peers = List.copyOf(peers);
        Objects.requireNonNull(peerAuth, "peerAuth");
        Objects.requireNonNull(peerCaFile, "peerCaFile");
    }

    public AgentOptions(Optional<String> region, Duration clockMaxError, boolean chrony) {
        this(region, clockMaxError, chrony, List.of(), Optional.empty(), Optional.empty());
    }

    public AgentOptions withRegion(String r) {
        return new AgentOptions(Optional.of(r), clockMaxError, chrony, peers, peerAuth, peerCaFile);
    }

    public AgentOptions withPeers(List<Peer> p) {
        return new AgentOptions(region, clockMaxError, chrony, p, peerAuth, peerCaFile);
    }

    /** The peers other than this agent's own region (the same file, with every region's agent, deploys everywhere). */
    public List<Peer> otherPeers() {
        return peers.stream().filter(p -> region.map(r -> !r.equals(p.region())).orElse(true)).toList();
    }
}
