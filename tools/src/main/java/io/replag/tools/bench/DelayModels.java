package io.replag.tools.bench;

import io.replag.agent.time.WallClock;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Replication delays as real links show them, for the bench's poll-schedule comparison: one delay
 * drawn per canary, correlated from one canary to the next (consecutive canaries travel the same
 * path), with each model's median and tail. The parameters are this file's choice, stated in the
 * table's title line; they are not measurements of AWS.
 *
 * <p>The lognormal models move in log space as an AR(1) process: {@code x' = rho x + sqrt(1 - rho²)
 * sigma e}, so the spread over time is the model's (median e^mu, p99 e^(mu + 2.33 sigma)) while one
 * canary's delay differs from the one before by about {@code sqrt(1 - rho²) sigma}.
 */
final class DelayModels {
    /** One model: its name, the canary interval it is probed at, and a delay source per link. */
    record Model(String name, String description, Duration interval, Duration max, LinkFactory links) {
    }

    interface LinkFactory {
        LongSupplier link(SplittableRandom random, WallClock clock);
    }

    private DelayModels() {
    }

    /** The S3-like model's parameters, which {@link ScheduleBound} shares. */
    static final long S3_MEDIAN_MICROS = 15_000_000;
    static final double S3_SIGMA = 0.9;
    static final double S3_RHO = 0.98;
    static final Duration S3_INTERVAL = Duration.ofSeconds(10);

    static final Model S3_LIKE = new Model("S3-like", "lognormal median 15 s, p99 2 min, rho 0.98, 10 s interval", S3_INTERVAL,
            Duration.ofMinutes(20), (r, c) -> lognormal(r, S3_MEDIAN_MICROS, S3_SIGMA, S3_RHO, 0, 1));

    static final List<Model> ALL = List.of(
            new Model("DynamoDB-like", "lognormal median 1 s, p99 2.5 s, rho 0.98", Duration.ofSeconds(1), Duration.ofSeconds(30),
                    (r, c) -> lognormal(r, 1_000_000, 0.394, 0.98, 0, 1)),
            new Model("RDS-like", "lognormal median 150 ms, p99 340 ms, rho 0.95; 0.5% of canaries start a 20-canary burst x4",
                    Duration.ofSeconds(1), Duration.ofSeconds(30), (r, c) -> lognormal(r, 150_000, 0.35, 0.95, 0.005, 4)),
            S3_LIKE,
            new Model("step 0 -> 3 s -> 0", "50 ms, 3 s from 100 s to 200 s, then 50 ms; 5% noise", Duration.ofSeconds(1), Duration.ofSeconds(30),
                    DelayModels::step),
            new Model("flapping", "100 ms and 2 s in turn, 30 s each; 5% noise", Duration.ofSeconds(1), Duration.ofSeconds(30),
                    DelayModels::flapping));

    static LongSupplier lognormal(SplittableRandom random, long medianMicros, double sigma, double rho, double burstChance, double burstFactor) {
        double innovation = Math.sqrt(1 - rho * rho) * sigma;
        double[] x = {gaussian(random) * sigma};
        int[] burst = {0};
        return () -> {
            x[0] = rho * x[0] + innovation * gaussian(random);
            if (burst[0] == 0 && random.nextDouble() < burstChance) {
                burst[0] = 20;
            }
            double factor = burst[0] > 0 ? burstFactor : 1;
            if (burst[0] > 0) {
                burst[0]--;
            }
            return (long) (medianMicros * Math.exp(x[0]) * factor);
        };
    }

    private static LongSupplier step(SplittableRandom random, WallClock clock) {
        long start = clock.nowMicros();
        return () -> {
            long t = clock.nowMicros() - start;
            long base = t >= 100_000_000 && t < 200_000_000 ? 3_000_000 : 50_000;
            return (long) (base * (0.95 + 0.1 * random.nextDouble()));
        };
    }

    private static LongSupplier flapping(SplittableRandom random, WallClock clock) {
        long start = clock.nowMicros();
        return () -> {
            long base = ((clock.nowMicros() - start) / 30_000_000) % 2 == 0 ? 100_000 : 2_000_000;
            return (long) (base * (0.95 + 0.1 * random.nextDouble()));
        };
    }

    static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian on JDK 17
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
