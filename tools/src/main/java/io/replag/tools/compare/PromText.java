package io.replag.tools.compare;

import java.util.OptionalDouble;

/** Reads one sample out of a Prometheus text exposition, as the comparison needs it. */
final class PromText {
    private PromText() {
    }

    /**
     * The value of the first sample of {@code metric} whose labels contain {@code labelPart}
     * (empty: any); empty when there is none or it is NaN.
     */
    static OptionalDouble value(String text, String metric, String labelPart) {
        for (String line : text.split("\n")) {
            if (!line.startsWith(metric) || line.length() == metric.length()) {
                continue;
            }
            char next = line.charAt(metric.length());
            if (next != '{' && next != ' ') {
                continue; // a longer name with this prefix
            }
            int labelsEnd = line.lastIndexOf('}');
            String labels = next == '{' && labelsEnd > 0 ? line.substring(metric.length(), labelsEnd + 1) : "";
            if (!labelPart.isEmpty() && !labels.contains(labelPart)) {
                continue;
            }
            String[] parts = line.substring(next == '{' && labelsEnd > 0 ? labelsEnd + 1 : metric.length()).trim().split("\\s+");
            try {
                double v = Double.parseDouble(parts[0]);
                return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
            } catch (NumberFormatException e) {
                return OptionalDouble.empty();
            }
        }
        return OptionalDouble.empty();
    }
}
