package io.replag.agent.redis;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The fields of {@code INFO replication} replag reads. On a replica: {@code role:slave},
 * {@code master_link_status} and its own offset; on a primary: {@code role:master} and
 * {@code master_repl_offset}. Offsets of two servers compare only while they share a replication
 * id ({@code master_replid}): after a failover or a full resync they count different streams.
 */
record ReplicationInfo(String role, Optional<Boolean> linkUp, long offset, String replicationId) {

    static ReplicationInfo parse(String info) {
        Map<String, String> fields = new HashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        String link = fields.get("master_link_status");
        long offset = -1;
        try {
            offset = Long.parseLong(fields.getOrDefault("master_repl_offset", "-1"));
        } catch (NumberFormatException e) {
            // not a number: no offset to compare
        }
        return new ReplicationInfo(fields.getOrDefault("role", ""), link == null ? Optional.empty() : Optional.of(link.equals("up")),
                offset, fields.getOrDefault("master_replid", ""));
    }

    boolean replica() {
        return role.equals("slave") || role.equals("replica");
    }

    boolean primary() {
        return role.equals("master");
    }

    /**
     * How many bytes of {@code primary}'s replication stream this replica has yet to receive;
     * empty where the two do not count the same stream.
     */
    Optional<Long> bytesBehind(ReplicationInfo primary) {
        if (!replica() || !primary.primary() || offset < 0 || primary.offset < 0 || replicationId.isEmpty()
                || !replicationId.equals(primary.replicationId)) {
            return Optional.empty();
        }
        return Optional.of(Math.max(0, primary.offset - offset));
    }
}
