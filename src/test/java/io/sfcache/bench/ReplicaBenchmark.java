package io.sfcache.bench;

import io.sfcache.cluster.ReplicaProcess;
import io.sfcache.standin.LocalStandins;
import io.sfcache.standin.ProjectDir;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import io.sfcache.standin.messaging.QueueLoader;
import io.sfcache.standin.messaging.QueueOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * Throughput per replica count ({@code --only=replicas}): for each count N ({@code --replicas}, default 1,2,3), N
 * sfcache JVMs ({@link ReplicaProcess}, as in the multi-replica test) on this JVM's stand-ins, a queue, hub and
 * database of their own; once all are ready and consuming, a warm-up backlog ({@code --warm-up} changes per replica,
 * default 6,000: with 3,000 one replica still got faster from run to run, 184, 245, 320/s, its JIT compiling), then
 * {@code --runs} backlogs of
 * {@code --records} changes ({@link Backlog}: creates, updates, invalid ones). The clock runs from the first send
 * ({@link QueueLoader}: the replicas consume while it sends, as after an outage) until every message is settled
 * (completed on Service Bus: stored, skipped or in sfcache's dead letters; or dead-lettered by Service Bus) and the
 * queue is empty. CPU: the replica JVMs' own, and the rest (this JVM with the Service Bus and Event Hubs stand-ins and
 * the loader, the Node Cosmos DB stand-in). Prints a Markdown table; it does not write docs/benchmarks.md.
 */
final class ReplicaBenchmark {

    /** One drain: what the replica JVMs and the rest (stand-ins, loader) used meanwhile. */
    record Result(int messages, double seconds, double replicaCpuSeconds, double otherCpuSeconds) {
        double perSecond() {
            return messages / seconds;
        }
    }

    /**
     * @param idleCores what the replica JVMs used with nothing to sync (timers, checks, GC), in cores
     * @param load      the 1-minute load average after the count's last run
     */
    record Summary(int replicas, double readySeconds, double idleCores, List<Result> runs, String load) {
        double median() {
            return Stats.median(runs.stream().map(Result::perSecond).toList());
        }
    }

    static final Duration START = Duration.ofMinutes(4);
    static final Duration DRAIN = Duration.ofMinutes(20);
    static final Duration IDLE = Duration.ofSeconds(5);

    private final Benchmarks.Options options;
    private final AzureMessagingStandin messaging = AzureMessagingStandin.shared();
    private final Map<String, String> standins = new LinkedHashMap<>();
    private final String stamp =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).format(LocalDateTime.now());
    private final Path dir = ProjectDir.get().resolve("target/bench-replicas/" + stamp);

    ReplicaBenchmark(Benchmarks.Options options) {
        this.options = options;
        LocalStandins.properties().forEach((key, value) -> standins.put(key, String.valueOf(value)));
    }

    List<Summary> run() throws Exception {
        List<Summary> summaries = new ArrayList<>();
        for (int count : options.replicaCounts()) {
            summaries.add(measure(count));
        }
        return summaries;
    }

    private Summary measure(int count) throws Exception {
        String name = "bench-replicas-" + count + "-" + stamp;
        messaging.configureQueue(name, Duration.ofSeconds(30), 10);
        Map<String, String> settings = new LinkedHashMap<>(standins);
        settings.putAll(settings(name, dir.resolve("cluster-" + count)));
        // --sfcache.*, --camel.*, --management.* given to the benchmark go to every replica, after the defaults.
        options.appArgs()
                .forEach(arg -> settings.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1)));
        List<String> jvm = List.of(
                "-Xms256m",
                "-Xmx" + options.replicaHeap(),
                // As the benchmark's own JVM (pom.xml): 64 concurrent Service Bus calls need the pool.
                "-Dreactor.schedulers.defaultBoundedElasticSize=256");
        List<ReplicaProcess> replicas = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            replicas.add(new ReplicaProcess("replica-" + count + "-" + i, dir, jvm, settings));
        }
        try {
            long startNanos = System.nanoTime();
            replicas.forEach(ReplicaProcess::start);
            replicas.forEach(replica -> replica.awaitReady(START));
            Awaitility.await(count + " consumers on " + name)
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> messaging.queue(name).consumers() >= count);
            double ready = (System.nanoTime() - startNanos) / 1e9;
            System.out.printf("%d replica(s) ready and consuming in %.1f s (logs in %s)%n", count, ready, dir);
            Result warmUp = drain(
                    replicas,
                    name,
                    Backlog.generate(900 + count, options.replicaWarmUp() * count, options.invalidPercent()));
            System.out.printf("%d replica(s), warm-up: %.0f/s%n", count, warmUp.perSecond());
            double idleFrom = replicaCpu(replicas);
            long idleStart = System.nanoTime();
            Awaitility.await().pollDelay(IDLE).atMost(IDLE.plusSeconds(5)).until(() -> true);
            double idleCores = (replicaCpu(replicas) - idleFrom) / ((System.nanoTime() - idleStart) / 1e9);
            System.out.printf("%d replica(s), idle: %.2f cores%n", count, idleCores);
            List<Result> runs = new ArrayList<>();
            for (int run = 1; run <= options.runs(); run++) {
                Result result = drain(
                        replicas,
                        name,
                        Backlog.generate(100L * count + run, options.records(), options.invalidPercent()));
                runs.add(result);
                System.out.printf(
                        "%d replica(s), run %d: %.0f/s (%d in %.1f s), CPU per message: replicas %.2f ms, stand-ins"
                                + " and loader %.2f ms; load %s%n",
                        count,
                        run,
                        result.perSecond(),
                        result.messages(),
                        result.seconds(),
                        result.replicaCpuSeconds() * 1000 / result.messages(),
                        result.otherCpuSeconds() * 1000 / result.messages(),
                        loadAverage());
            }
            return new Summary(count, ready, idleCores, runs, loadAverage().split(" ")[0]);
        } finally {
            replicas.forEach(ReplicaProcess::requestStop);
            replicas.forEach(replica -> replica.awaitStopped(Duration.ofSeconds(60)));
            replicas.forEach(ReplicaProcess::destroyAll);
        }
    }

    private Result drain(List<ReplicaProcess> replicas, String queue, Backlog backlog) {
        int count = backlog.messages().size();
        int settledBefore = settled(queue);
        double replicaCpuBefore = replicaCpu(replicas);
        CpuClock all = CpuClock.now();
        long start = System.nanoTime();
        QueueLoader.load(messaging.serviceBusConnectionString(), queue, backlog.messages());
        Awaitility.await("every message settled")
                .atMost(DRAIN)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> settled(queue) - settledBefore >= count
                        && messaging.queue(queue).pending() == 0);
        double seconds = (System.nanoTime() - start) / 1e9;
        double replicaCpu = replicaCpu(replicas) - replicaCpuBefore;
        CpuClock used = CpuClock.now().since(all);
        // The replicas are this JVM's children: the rest is this JVM and its other children (Cosmos stand-in).
        return new Result(count, seconds, replicaCpu, used.jvmSeconds() + used.childSeconds() - replicaCpu);
    }

    private int settled(String queue) {
        Map<QueueOutcome, Integer> outcomes = messaging.outcomes(queue);
        return outcomes.getOrDefault(QueueOutcome.COMPLETED, 0) + outcomes.getOrDefault(QueueOutcome.DEAD_LETTERED, 0);
    }

    private static double replicaCpu(List<ReplicaProcess> replicas) {
        return replicas.stream()
                .mapToDouble(replica -> replica.current().cpu().toNanos() / 1e9)
                .sum();
    }

    /** As the multi-replica test runs them, tuned for a backlog as the drain benchmark is. */
    private static Map<String, String> settings(String name, Path clusterRoot) {
        Map<String, String> settings =
                ReplicaProcess.queuePathSettings(name, name + "-events", "sfcache-" + name, clusterRoot);
        settings.putAll(Benchmarks.BACKLOG_TUNING);
        settings.put("logging.level.root", "WARN");
        settings.put("logging.level.io.sfcache", "WARN");
        settings.put("logging.level.dead-letter", "ERROR");
        settings.put("logging.level.com.azure.cosmos", "ERROR");
        return settings;
    }

    /** The Markdown table for docs/scaling.md. */
    static String table(List<Summary> summaries, int records, int warmUp, String loadBefore, String loadAfter) {
        List<String> lines = new ArrayList<>();
        lines.add(Report.fmt(
                "Backlogs of %d changes, median of %d runs after a warm-up of %d changes per replica; load average (1, 5, 15 min) before %s,"
                        + " after %s; %d cores.",
                records,
                summaries.get(0).runs().size(),
                warmUp,
                loadBefore,
                loadAfter,
                Runtime.getRuntime().availableProcessors()));
        lines.add("");
        lines.add("| Replicas | Changes/s (median) | Runs | Replica JVM CPU ms/change | Stand-ins + loader CPU "
                + "ms/change | Cores busy | Replicas idle, cores | Ready in | Load (1 min) after |");
        lines.add("|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        for (Summary summary : summaries) {
            List<Result> runs = summary.runs();
            double messages = runs.stream().mapToDouble(Result::messages).sum();
            double seconds = runs.stream().mapToDouble(Result::seconds).sum();
            double replicaCpu =
                    runs.stream().mapToDouble(Result::replicaCpuSeconds).sum();
            double otherCpu = runs.stream().mapToDouble(Result::otherCpuSeconds).sum();
            lines.add(Report.fmt(
                    "| %d | %.0f | %s | %.2f | %.2f | %.2f | %.2f | %.0f s | %s |",
                    summary.replicas(),
                    summary.median(),
                    String.join(
                            ", ",
                            runs.stream()
                                    .map(r -> Report.fmt("%.0f", r.perSecond()))
                                    .toList()),
                    replicaCpu * 1000 / messages,
                    otherCpu * 1000 / messages,
                    (replicaCpu + otherCpu) / seconds,
                    summary.idleCores(),
                    summary.readySeconds(),
                    summary.load()));
        }
        return String.join("\n", lines);
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
