package io.replag.agent.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The canary write as one Lua script, atomic on the server: it refuses a seq not above the one
 * held (answering {@code {0, held}}), else writes the hash and its expiry and answers
 * {@code {1, written_at, t_after}}. With {@code clock: server}, {@code written_at} is the server's
 * {@code TIME} as the record changes (ARGV[2] empty); {@code t_after} is read after the change, so
 * the change lies between the two readings.
 *
 * <p>KEYS[1] the canary; ARGV: seq, written_at (µs, or empty for the server's), clock_error,
 * writer, prev_seq, prev_committed, ttl (ms).
 */
final class CanaryScript {
    static final String FIELDS = "seq written_at clock_error writer prev_seq prev_committed";

    private static final String BODY = """
            local held = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
            if held >= tonumber(ARGV[1]) then
              return {0, tostring(held)}
            end
            local function micros()
              local t = redis.call('TIME')
              return t[1] .. string.format('%06d', tonumber(t[2]))
            end
            local at = ARGV[2]
            if at == '' then at = micros() end
            redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'written_at', at, 'clock_error', ARGV[3], 'writer', ARGV[4],
              'prev_seq', ARGV[5], 'prev_committed', ARGV[6])
            redis.call('PEXPIRE', KEYS[1], ARGV[7])
            return {1, at, micros()}
            """;

    final String text;
    final String sha;

    CanaryScript(String variant) {
        this.text = "-- replag canary write" + (variant.isEmpty() ? "" : " " + variant) + "\n" + BODY;
        this.sha = sha1(text);
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JVM", e);
        }
    }
}
