package io.replag.agent.redis;

import io.replag.agent.spi.BurstRecords;
import io.replag.agent.spi.BurstRun;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Redis's side of {@code replag burst}: hashes {@code <key_prefix>{<hash_tag>}:burst/<agent>/<run>/<i>}
 * (the canaries' hash tag: one cluster slot, so one EVAL may write many), written 100 at a time
 * by a small script with the commands the canary's ACL already allows ({@code HSET},
 * {@code PEXPIRE}), read with a pipelined batch of {@code HGET} on each replica, and left to
 * expire: the expiry replicates as a delete.
 */
final class RedisBurstRecords implements BurstRecords {
    static final String WRITE_SCRIPT = "for _, k in ipairs(KEYS) do redis.call('HSET', k, 'written_at_us', ARGV[1]); "
            + "redis.call('PEXPIRE', k, ARGV[2]) end return #KEYS";
    private static final int WRITE_BATCH = 100;
    private static final int READ_BATCH = 100;

    private final RedisOptions options;
    private final Function<String, Redis> client;

    RedisBurstRecords(RedisOptions options, Function<String, Redis> client) {
        this.options = options;
        this.client = client;
    }

    String key(BurstRun run, long index) {
        return options.keyPrefix() + "{" + options.hashTag() + "}:" + run.key(index);
    }

    @Override
    public int writeBatch() {
        return WRITE_BATCH;
    }

    @Override
    public int readBatch() {
        return READ_BATCH;
    }

    @Override
    public Future<List<Long>> write(String region, BurstRun run, List<Long> indexes, long writtenAtMicros) {
        Request eval = Request.cmd(Command.EVAL).arg(WRITE_SCRIPT).arg(indexes.size());
        indexes.forEach(i -> eval.arg(key(run, i)));
        eval.arg(writtenAtMicros).arg(Math.max(1, options.ttl().toMillis()));
        return client.apply(region).send(eval).map(List.of());
    }

    @Override
    public Future<Read> read(String region, BurstRun run, List<Long> indexes) {
        List<Request> gets = new ArrayList<>(indexes.size());
        indexes.forEach(i -> gets.add(Request.cmd(Command.HGET).arg(key(run, i)).arg("written_at_us")));
        return client.apply(region).batch(gets).map(answers -> {
            List<Long> visible = new ArrayList<>();
            for (int k = 0; k < indexes.size(); k++) {
                Response r = answers.get(k);
                if (r != null) {
                    visible.add(indexes.get(k));
                }
            }
            return Read.of(visible);
        });
    }

    @Override
    public Future<String> cleanup(String region, BurstRun run, long records) {
        return Future.succeededFuture("left to expire (PEXPIRE " + options.ttl().toMinutes() + " min, the set's ttl); the expiry replicates as a delete");
    }

    /** Redis bills no requests: the replication stream's traffic. */
    @Override
    public String costEstimate(long records, int targets, double readsPerRecord) {
        double gb = records * 150.0 * targets / 1e9;
        return String.format(Locale.ROOT, "no request prices; ~%.3f GB of replication stream at $0.02/GB inter-region: about $%.2f "
                + "(MemoryDB also bills data written, $0.20/GB: about $%.2f)", gb, gb * 0.02, records * 150.0 / 1e9 * 0.20);
    }
}
