package io.sfcache.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Where a drain's time goes: Camel's own per-route and per-step statistics (JMX, on in sfcache), read after a run.
 * A step's total is the time exchanges spent in it, summed over the concurrent consumers.
 */
final class StepTimes {

    /** @param totalMillis summed over exchanges; @param count exchanges completed */
    record Step(String route, String id, long totalMillis, long count) {
        double meanMillis() {
            return count == 0 ? 0 : (double) totalMillis / count;
        }
    }

    private StepTimes() {}

    /** Clears every route's and step's statistics, so the next read covers one run. */
    static void reset() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName name : server.queryNames(new ObjectName("org.apache.camel:type=context,*"), null)) {
            server.invoke(name, "reset", new Object[] {true}, new String[] {"boolean"});
        }
    }

    static List<Step> routes() throws Exception {
        return read("routes", "RouteId");
    }

    /** Steps with an id of their own (the meaningful ones in the YAML), busiest first. */
    static List<Step> steps() throws Exception {
        return read("processors", "ProcessorId");
    }

    private static List<Step> read(String type, String idAttribute) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        List<Step> steps = new ArrayList<>();
        for (ObjectName name : server.queryNames(new ObjectName("org.apache.camel:type=" + type + ",*"), null)) {
            if (!hasStatistics(server, name)) {
                continue;
            }
            long count = ((Number) server.getAttribute(name, "ExchangesTotal")).longValue();
            if (count == 0) {
                continue;
            }
            steps.add(new Step(
                    (String) server.getAttribute(name, "RouteId"),
                    (String) server.getAttribute(name, idAttribute),
                    ((Number) server.getAttribute(name, "TotalProcessingTime")).longValue(),
                    count));
        }
        steps.sort(Comparator.comparingLong(Step::totalMillis).reversed());
        return steps;
    }

    /** Some processors (e.g. the internal ones of an EIP) keep no statistics. */
    private static boolean hasStatistics(MBeanServer server, ObjectName name) throws Exception {
        return Arrays.stream(server.getMBeanInfo(name).getAttributes())
                .anyMatch(attribute -> attribute.getName().equals("ExchangesTotal"));
    }
}
