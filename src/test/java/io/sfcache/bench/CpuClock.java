package io.sfcache.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * CPU time used so far by this JVM (sfcache, the in-JVM stand-ins and the harness) and by its child processes (the
 * Node Cosmos DB stand-in): on a 2-core machine, CPU per record bounds records per second.
 */
record CpuClock(double jvmSeconds, double childSeconds) {

    static CpuClock now() {
        long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        long children = ProcessHandle.current()
                .descendants()
                .mapToLong(
                        p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
                .sum();
        return new CpuClock(jvm / 1e9, children / 1e9);
    }

    CpuClock since(CpuClock start) {
        return new CpuClock(jvmSeconds - start.jvmSeconds, childSeconds - start.childSeconds);
    }
}
