package io.sfcache.cluster;

import java.util.LinkedHashMap;
import java.util.Map;

/** The Prometheus text format as far as the multi-replica test reads it: series (name and labels) to value. */
final class PrometheusText {

    private PrometheusText() {}

    static Map<String, Double> parse(String text) {
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int split = line.lastIndexOf(' ');
            if (split < 0) {
                continue;
            }
            try {
                series.put(line.substring(0, split).trim(), Double.parseDouble(line.substring(split + 1)));
            } catch (NumberFormatException ignored) {
                // not a sample line
            }
        }
        return series;
    }

    /** Sum over the series of one metric whose labels contain every given {@code key="value"} pair. */
    static double sum(Map<String, Double> series, String metric, String... labels) {
        double total = 0;
        for (Map.Entry<String, Double> entry : series.entrySet()) {
            String key = entry.getKey();
            if (!(key.equals(metric) || key.startsWith(metric + "{"))) {
                continue;
            }
            boolean matches = true;
            for (String label : labels) {
                matches &= key.contains(label);
            }
            if (matches) {
                total += entry.getValue();
            }
        }
        return total;
    }
}
