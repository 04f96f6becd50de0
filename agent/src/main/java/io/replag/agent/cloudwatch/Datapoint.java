package io.replag.agent.cloudwatch;

/** One CloudWatch datapoint: the start of its period and its value in the metric's own unit. */
public record Datapoint(java.time.Instant periodStart, double value) {

    /** The datapoints of one GetMetricData result; its timestamps and values pair up by index. */
    public static java.util.List<Datapoint> of(software.amazon.awssdk.services.cloudwatch.model.MetricDataResult result) {
        java.util.List<Datapoint> points = new java.util.ArrayList<>();
        for (int i = 0; i < Math.min(result.timestamps().size(), result.values().size()); i++) {
            points.add(new Datapoint(result.timestamps().get(i), result.values().get(i)));
        }
        return points;
    }
}
