package io.replag.exporter.health;

import io.replag.agent.config.ReplicationSet;
import io.replag.agent.engine.SetView;
import io.replag.exporter.config.AgentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The other regions' agents' evidence, asked every second over HTTP ({@code GET /health/evidence},
 * with the peers' TLS and basic auth), each answer kept while it is fresh (3 s). Asked without
 * waiting: a dead peer costs a 1 s timeout on a client of its own, and nothing else waits for it.
 * One log line per peer per change (unreachable with a reason, back).
 */
public final class PeerEvidence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerEvidence.class);
    static final long FRESH_NANOS = 3_000_000_000L;

    private record Answer(JsonObject evidence, long atNanos) {
    }

    private final List<AgentOptions.Peer> peers;
    private final HttpClient http;
    private final String authorization;
    private final LongSupplier nanoTime;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, String> failing = new ConcurrentHashMap<>();

    public PeerEvidence(Vertx vertx, AgentOptions options, LongSupplier nanoTime) {
        this.peers = options.otherPeers();
        this.nanoTime = nanoTime;
        HttpClientOptions client = new HttpClientOptions().setConnectTimeout(1_000).setIdleTimeout(30)
                .setVerifyHost(true);
        options.peerCaFile().ifPresent(ca -> client.setTrustOptions(new PemTrustOptions().addCertPath(ca)));
        this.http = vertx.createHttpClient(client);
        this.authorization = options.peerAuth().map(a -> "Basic " + Base64.getEncoder().encodeToString(
                (a.username() + ":" + a.password().reveal()).getBytes(StandardCharsets.UTF_8))).orElse(null);
    }

    /** Asks every peer once, without waiting for the answers. */
    public void ask() {
        for (AgentOptions.Peer peer : peers) {
            boolean tls = peer.url().getScheme().equals("https");
            int port = peer.url().getPort() > 0 ? peer.url().getPort() : tls ? 443 : 80;
            RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(peer.url().getHost()).setPort(port)
                    .setSsl(tls).setURI(basePath(peer) + "/health/evidence").setTimeout(1_000);
            if (authorization != null) {
                request.putHeader("Authorization", authorization);
            }
            http.request(request)
                    .compose(r -> r.send().compose(response -> response.statusCode() == 200
                            ? response.body()
                            : io.vertx.core.Future.<Buffer>failedFuture("HTTP " + response.statusCode())))
                    .onSuccess(body -> {
                        answers.put(peer.region(), new Answer(new JsonObject(body), nanoTime.getAsLong()));
                        if (failing.remove(peer.region()) != null) {
                            LOG.info("peer agent in {} answers again", peer.region());
                        }
                    })
                    .onFailure(e -> {
                        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                        if (!why.equals(failing.put(peer.region(), why))) {
                            LOG.warn("peer agent in {} ({}) does not answer: {}", peer.region(), peer.url(), why);
                        }
                    });
        }
    }

    private static String basePath(AgentOptions.Peer peer) {
        String path = peer.url().getRawPath();
        return path == null || path.equals("/") ? "" : path.replaceAll("/$", "");
    }

    /** The fresh peers' evidence, as views of the sets this agent knows. */
    public List<SetView> views(List<ReplicationSet> known) {
        List<SetView> out = new ArrayList<>();
        long now = nanoTime.getAsLong();
        answers.forEach((region, a) -> {
            if (now - a.atNanos <= FRESH_NANOS) {
                out.addAll(Evidence.views(a.evidence, known));
            }
        });
        return out;
    }

    /** How many agents this answer rests on: this one, and the peers whose evidence is fresh. */
    public RegionHealth.Quorum quorum() {
        long now = nanoTime.getAsLong();
        List<String> missing = new ArrayList<>();
        int reached = 1;
        for (AgentOptions.Peer peer : peers) {
            Answer a = answers.get(peer.region());
            if (a != null && now - a.atNanos <= FRESH_NANOS) {
                reached++;
            } else {
                missing.add(peer.region());
            }
        }
        return new RegionHealth.Quorum(reached, peers.size() + 1, missing);
    }

    @Override
    public void close() {
        http.close();
    }
}
