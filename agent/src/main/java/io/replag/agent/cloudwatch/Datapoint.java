package io.replag.agent.cloudwatch;

/** One CloudWatch datapoint: the start of its period and its value in the metric's own unit. */
public record Datapoint(java.time.Instant periodStart, double value) {
}
