package io.sfcache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU per group of JVM threads (Linux /proc): JIT compiler, GC, the Cosmos SDK's response threads, the AMQP
 * stand-in, sfcache's consumers... Threads are grouped by name with digits dropped. Empty where /proc is missing.
 */
final class ThreadCpu {

    private static final double TICKS_PER_SECOND = 100.0;

    private ThreadCpu() {}

    /** CPU seconds used so far by each thread group. */
    static Map<String, Double> now() {
        Map<String, Double> groups = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // utime and stime: fields 14 and 15 of stat, 12 and 13 after the name
                    double seconds = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
                    groups.merge(name.replaceAll("[0-9]+", "N").trim(), seconds, Double::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while listed
                }
            });
        } catch (IOException notLinux) {
            return Map.of();
        }
        return groups;
    }

    /** What each group used between two readings (threads that ended in between are lost). */
    static Map<String, Double> since(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> used = new HashMap<>();
        after.forEach((group, seconds) -> used.put(group, seconds - before.getOrDefault(group, 0.0)));
        return used;
    }
}
