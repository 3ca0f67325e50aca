package io.sfcache.bench;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.PartitionKey;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.SfcacheApplication;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.standin.LocalStandins;
import io.sfcache.standin.cosmos.CosmosStandin;
import io.sfcache.standin.identity.TokenIssuerStandin;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import io.sfcache.standin.messaging.QueueLoader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.awaitility.Awaitility;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import reactor.core.publisher.Hooks;

/**
 * The benchmark: one sfcache on the local stand-ins, on this machine. Prints a table and writes it to
 * docs/benchmarks.md with the machine and the command. Every figure is the median of {@code --runs} runs; each
 * comparison (pipeline against the parts' limits, GraphQL against a raw SDK read) is measured in the same run.
 *
 * <pre>./mvnw -B -Pbench test -Dbench.args="--records=20000 --runs=3"</pre>
 *
 * Options: --records (backlog size), --runs, --invalid-percent, --lag-seconds (per rate and run), --rates
 * (records/s, comma-separated), --read-seconds (per measurement), --read-concurrency, --read-records (accounts to
 * read, default 300), --only (drain,lag,read,cpu; or replicas on its own: {@link ReplicaBenchmark}, with --replicas,
 * the counts, default 1,2,3, --replica-heap, default 512m, and --warm-up, changes per replica before the measured runs,
 * default 6000),
 * --out (the report; "-" prints only), --keep-test-classpath-hooks (true: leave Spring Security's Reactor hook
 * that only the test classpath installs); anything starting with --sfcache., --camel. or --management. goes to sfcache itself.
 */
public final class Benchmarks {

    /**
     * Messages drained before the measured runs. HotSpot's C2 compiles a method after about 10,000 calls: after a
     * 3,000-message warm-up the compiler threads still took 1 ms of CPU per message in the measured runs, which a
     * replica that runs for days does not pay.
     */
    static final int WARM_UP_MESSAGES = 12_000;

    /**
     * Tuned for a backlog: the more changes in flight, the larger the batched store's batches (128 calls drained 408/s
     * at 4.4 ms of CPU per message, 64 calls 329/s at 4.9 ms, one run each); the JVM needs a bounded-elastic pool of
     * twice the calls (pom.xml's bench profile, the replicas' command line).
     */
    static final Map<String, String> BACKLOG_TUNING =
            Map.of("sfcache.sync.max-concurrent-calls", "128", "sfcache.sync.prefetch", "100");

    private static final String SECURITY_REACTOR_HOOK =
            "org.springframework.security.SECURITY_REACTOR_CONTEXT_OPERATOR";

    private Benchmarks() {}

    public static void main(String[] args) {
        int status = 1;
        try {
            run(args);
            status = 0;
        } catch (Exception | Error e) {
            e.printStackTrace();
        }
        // The SDK clients and stand-ins leave non-daemon threads behind.
        System.exit(status);
    }

    private static void run(String[] args) throws Exception {
        Options options = Options.parse(args);
        if (options.runs("replicas")) {
            // Replica JVMs of their own on this JVM's stand-ins: no sfcache in this JVM to share the cores with.
            String loadBefore = ReplicaBenchmark.loadAverage();
            List<ReplicaBenchmark.Summary> summaries = new ReplicaBenchmark(options).run();
            System.out.println(ReplicaBenchmark.table(
                    summaries, options.records(), options.replicaWarmUp(), loadBefore, ReplicaBenchmark.loadAverage()));
            return;
        }
        Report report = new Report(options);
        report.loadBefore();
        // The stand-ins start first: time to ready is sfcache's own start-up.
        LocalStandins.properties();
        SpringApplication app = new SpringApplication(SfcacheApplication.class);
        app.addInitializers(new LocalStandins());
        // Where start-up goes: Spring records every bean's creation and the context's phases.
        BufferingApplicationStartup startup = new BufferingApplicationStartup(20_000);
        app.setApplicationStartup(startup);
        List<String> appArgs = new ArrayList<>(List.of(
                "--server.port=0",
                "--logging.level.root=WARN",
                "--logging.level.io.sfcache=WARN",
                // Each invalid message is logged as a dead letter, and the SDK logs every client it closes.
                "--logging.level.dead-letter=ERROR",
                "--logging.level.com.azure.cosmos=ERROR"));
        // Tuned for a backlog: enough changes in flight for the batched store to fill its batches (the JVM running
        // this has the bounded-elastic pool it needs, see the bench profile in pom.xml). An argument overrides it.
        BACKLOG_TUNING.forEach((name, value) -> {
            if (options.appArgs().stream().noneMatch(arg -> arg.startsWith("--" + name + "="))) {
                appArgs.add("--" + name + "=" + value);
            }
        });
        appArgs.addAll(options.appArgs());
        long startNanos = System.nanoTime();
        try (ConfigurableApplicationContext context = app.run(appArgs.toArray(String[]::new))) {
            report.timeToReady((System.nanoTime() - startNanos) / 1e9, startup.getBufferedTimeline());
            if (!options.keepTestClasspathHooks()) {
                // spring-webflux is on the test classpath only, and with it Spring Security wraps every Reactor
                // operator in the JVM (the Cosmos and Azure SDKs' too) to carry the security context into WebClient
                // calls. The production jar has no WebClient, hence no hook: measure sfcache as it ships.
                Hooks.resetOnLastOperator(SECURITY_REACTOR_HOOK);
            }
            Environment env = context.getEnvironment();
            report.settings(settings(env));
            CamelContext camel = context.getBean(CamelContext.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            AzureMessagingStandin messaging = AzureMessagingStandin.shared();
            String queue = env.getProperty("sfcache.servicebus.queue");
            String hub = env.getProperty("sfcache.eventhubs.hub");
            String database = env.getProperty("sfcache.cosmos.database");
            try (CosmosAsyncClient raw =
                    CosmosStandin.shared().newClientBuilder().buildAsyncClient()) {
                if (options.runs("drain")) {
                    drain(
                            options,
                            report,
                            new DrainBenchmark(camel, meters, messaging, queue, hub),
                            new CosmosLimit(raw, database),
                            new QueueLimit(messaging),
                            env);
                    report.footprintAfterDrain();
                }
                if (options.runs("lag")) {
                    lag(options, report, new SteadyLoadBenchmark(messaging, queue, hub));
                }
                if (options.runs("read")) {
                    read(
                            options,
                            report,
                            messaging,
                            queue,
                            raw.getDatabase(database).getContainer("account"),
                            URI.create("http://localhost:" + env.getProperty("local.server.port") + "/graphql"));
                }
            }
        }
        if (options.runs("cpu")) {
            // After sfcache stopped: the JMH fork has the machine to itself.
            report.cpu(RecordCpuRunner.run());
        }
        report.loadAfter();
        report.write();
    }

    private static void drain(
            Options options,
            Report report,
            DrainBenchmark pipeline,
            CosmosLimit cosmos,
            QueueLimit queue,
            Environment env)
            throws Exception {
        int concurrency = env.getProperty("sfcache.sync.max-concurrent-calls", Integer.class);
        int prefetch = env.getProperty("sfcache.sync.prefetch", Integer.class);
        // A warm-up drain (JIT, connections, caches): with 500 messages run 1 was still half as fast as run 3 (the JIT
        // was compiling), and the median measured the warm-up.
        pipeline.run(Backlog.generate(999, WARM_UP_MESSAGES, options.invalidPercent()));
        // What the machine spends with nothing to sync (the stand-ins, sfcache's schedules): the drain's baseline.
        CpuClock idleStart = CpuClock.now();
        long idleFrom = System.nanoTime();
        Awaitility.await().pollDelay(Duration.ofSeconds(3)).until(() -> true);
        CpuClock idle = CpuClock.now().since(idleStart);
        double idleSeconds = (System.nanoTime() - idleFrom) / 1e9;
        System.out.printf(
                "idle: JVM %.0f%% of a core, Cosmos stand-in %.0f%%%n",
                100 * idle.jvmSeconds() / idleSeconds, 100 * idle.childSeconds() / idleSeconds);
        List<DrainBenchmark.Result> results = new ArrayList<>();
        List<Double> upserts = new ArrayList<>();
        List<Double> bulk = new ArrayList<>();
        List<Double> raw = new ArrayList<>();
        List<Double> processor = new ArrayList<>();
        // JVM CPU milliseconds per record, summed over runs (the report shows the mean).
        Map<String, Double> cpuPerRecord = new LinkedHashMap<>();
        List<StepTimes.Step> lastRoutes = List.of();
        List<StepTimes.Step> lastSteps = List.of();
        for (int run = 1; run <= options.runs(); run++) {
            Backlog backlog = Backlog.generate(run, options.records(), options.invalidPercent());
            DrainBenchmark.Result result = pipeline.run(backlog);
            results.add(result);
            List<StepTimes.Step> routes = StepTimes.routes();
            List<StepTimes.Step> steps = StepTimes.steps();
            System.out.printf(
                    "drain run %d: pipeline %.0f/s (%d in %.1f s), CPU per message: JVM %.2f ms, Cosmos "
                            + "stand-in %.2f ms%n",
                    run,
                    result.perSecond(),
                    result.messages(),
                    result.seconds(),
                    result.cpu().jvmSeconds() * 1000 / result.messages(),
                    result.cpu().childSeconds() * 1000 / result.messages());
            result.threadCpu().entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(12)
                    .forEach(e -> System.out.printf(
                            "  CPU %s: %.2f ms/message%n", e.getKey(), e.getValue() * 1000 / result.messages()));
            routes.forEach(step ->
                    System.out.printf("  route %s: %d, mean %.2f ms%n", step.id(), step.count(), step.meanMillis()));
            steps.stream()
                    .limit(20)
                    .forEach(step -> System.out.printf(
                            "  %s/%s: %d, mean %.2f ms, total %.1f s%n",
                            step.route(), step.id(), step.count(), step.meanMillis(), step.totalMillis() / 1000.0));
            List<ObjectNode> documents = cosmos.documents(backlog.bodies(), "r" + run + "-upsert");
            CpuClock cpu = CpuClock.now();
            upserts.add(cosmos.concurrentUpserts(documents, 64));
            cpuPerRecord.merge(
                    "upserts", CpuClock.now().since(cpu).jvmSeconds() * 1000 / documents.size(), Double::sum);
            List<ObjectNode> bulkDocuments = cosmos.documents(backlog.bodies(), "r" + run + "-bulk");
            cpu = CpuClock.now();
            bulk.add(cosmos.bulk(bulkDocuments));
            cpuPerRecord.merge(
                    "bulk", CpuClock.now().since(cpu).jvmSeconds() * 1000 / bulkDocuments.size(), Double::sum);
            cpu = CpuClock.now();
            raw.add(queue.processor("bench-raw-" + run, backlog.messages(), 64, QueueLimit.DEEPEST_PREFETCH));
            cpuPerRecord.merge(
                    "raw",
                    CpuClock.now().since(cpu).jvmSeconds()
                            * 1000
                            / backlog.messages().size(),
                    Double::sum);
            cpu = CpuClock.now();
            processor.add(queue.processor("bench-processor-" + run, backlog.messages(), concurrency, prefetch));
            cpuPerRecord.merge(
                    "processor",
                    CpuClock.now().since(cpu).jvmSeconds()
                            * 1000
                            / backlog.messages().size(),
                    Double::sum);
            cpuPerRecord.merge("pipeline", result.cpu().jvmSeconds() * 1000 / result.messages(), Double::sum);
            System.out.printf(
                    "drain run %d: pipeline %.0f/s (%d in %.1f s, %d events, %d dead letters); cosmos "
                            + "upserts %.0f/s, bulk %.0f/s; queue raw %.0f/s, processor %.0f/s%n",
                    run,
                    result.perSecond(),
                    result.messages(),
                    result.seconds(),
                    result.events(),
                    result.deadLettered(),
                    upserts.get(run - 1),
                    bulk.get(run - 1),
                    raw.get(run - 1),
                    processor.get(run - 1));
            if (run == options.runs()) {
                lastRoutes = routes;
                lastSteps = steps;
            }
        }
        cpuPerRecord.replaceAll((what, sum) -> sum / options.runs());
        report.drain(results, upserts, bulk, raw, processor, cpuPerRecord);
        report.stepTimes(results.get(results.size() - 1), lastRoutes, lastSteps, concurrency);
    }

    private static void lag(Options options, Report report, SteadyLoadBenchmark steady) throws Exception {
        Map<Integer, List<SteadyLoadBenchmark.Result>> byRate = new LinkedHashMap<>();
        for (int run = 1; run <= options.runs(); run++) {
            for (int rate : options.rates()) {
                SteadyLoadBenchmark.Result result = steady.run(rate, options.lagSeconds(), 1000L * run + rate);
                byRate.computeIfAbsent(rate, r -> new ArrayList<>()).add(result);
                System.out.printf(
                        "lag run %d at %d/s: %d sent (%.0f/s), p50 %.0f ms, p95 %.0f ms, p99 %.0f ms%n",
                        run, rate, result.sent(), result.achievedRate(), result.p50(), result.p95(), result.p99());
            }
        }
        report.lag(byRate, options.lagSeconds());
    }

    private static void read(
            Options options,
            Report report,
            AzureMessagingStandin messaging,
            String queue,
            CosmosAsyncContainer accounts,
            URI graphql)
            throws Exception {
        // Accounts to read: synced through the pipeline like any other.
        ChangeMessages changes = ChangeMessages.seeded(4242);
        List<String> ids = new ArrayList<>();
        List<ServiceBusMessage> creates = new ArrayList<>();
        for (int i = 0; i < options.readRecords(); i++) {
            SalesforceRecord account = changes.account();
            ChangeMessageBuilder create = account.create();
            ids.add(account.id());
            creates.add(new ServiceBusMessage(create.toJson())
                    .setMessageId(create.eventId())
                    .setContentType("application/json"));
        }
        QueueLoader.load(messaging.serviceBusConnectionString(), queue, creates);
        Awaitility.await()
                .atMost(Duration.ofMinutes(5).plusSeconds(options.readRecords() / 20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> ids.stream().allMatch(id -> exists(accounts, id)));
        String token =
                TokenIssuerStandin.shared().mint("bench", List.of(TokenIssuerStandin.READER_ROLE), Duration.ofHours(1));
        ReadBenchmark reads = new ReadBenchmark(
                graphql,
                token,
                accounts,
                ids,
                options.readConcurrency(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(options.readSeconds()));
        // A warm-up round, as the drain has one: without it the GraphQL point read's p50 fell from 15.8 ms in run 1 to
        // 9.1 ms in run 3 (the read path was still being compiled).
        reads.graphqlPoint();
        reads.graphqlPage();
        Map<String, List<ReadBenchmark.Result>> byKind = new LinkedHashMap<>();
        for (int run = 1; run <= options.runs(); run++) {
            for (ReadBenchmark.Result result : List.of(reads.sdkPoint(), reads.graphqlPoint(), reads.graphqlPage())) {
                byKind.computeIfAbsent(result.what(), k -> new ArrayList<>()).add(result);
                System.out.printf(
                        "read run %d, %s: %d requests (%.0f/s), p50 %.2f ms, p99 %.2f ms%n",
                        run, result.what(), result.requests(), result.perSecond(), result.p50(), result.p99());
            }
        }
        report.reads(byKind, options.readConcurrency(), options.readSeconds(), options.readRecords());
    }

    private static boolean exists(CosmosAsyncContainer container, String id) {
        try {
            container.readItem(id, new PartitionKey(id), JsonNode.class).block();
            return true;
        } catch (CosmosException e) {
            if (e.getStatusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static Map<String, String> settings(Environment env) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String name : List.of(
                "sfcache.sync.max-concurrent-calls",
                "sfcache.sync.prefetch",
                "sfcache.sync.batch.max-size",
                "sfcache.sync.batch.max-in-flight")) {
            settings.put(name, env.getProperty(name));
        }
        // Boot's default: on
        settings.put("management.tracing.enabled", env.getProperty("management.tracing.enabled", "true"));
        return settings;
    }

    /** Command-line options. */
    record Options(
            int records,
            int runs,
            int invalidPercent,
            int lagSeconds,
            List<Integer> rates,
            int readSeconds,
            int readConcurrency,
            int readRecords,
            Set<String> only,
            List<Integer> replicaCounts,
            String replicaHeap,
            int replicaWarmUp,
            Path out,
            boolean keepTestClasspathHooks,
            List<String> appArgs,
            String commandLine) {

        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            List<String> appArgs = new ArrayList<>();
            for (String arg : args) {
                if (arg.startsWith("--sfcache.") || arg.startsWith("--camel.") || arg.startsWith("--management.")) {
                    appArgs.add(arg);
                } else if (arg.startsWith("--") && arg.contains("=")) {
                    values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
                } else {
                    throw new IllegalArgumentException(
                            "unknown argument " + arg + " (see io.sfcache.bench.Benchmarks)");
                }
            }
            return new Options(
                    Integer.parseInt(values.getOrDefault("records", "3000")),
                    Integer.parseInt(values.getOrDefault("runs", "3")),
                    Integer.parseInt(values.getOrDefault("invalid-percent", "3")),
                    Integer.parseInt(values.getOrDefault("lag-seconds", "10")),
                    java.util.Arrays.stream(
                                    values.getOrDefault("rates", "10,100,500").split(","))
                            .map(String::trim)
                            .map(Integer::valueOf)
                            .toList(),
                    Integer.parseInt(values.getOrDefault("read-seconds", "5")),
                    Integer.parseInt(values.getOrDefault("read-concurrency", "4")),
                    Integer.parseInt(values.getOrDefault("read-records", "300")),
                    only(values.getOrDefault("only", "drain,lag,read,cpu")),
                    java.util.Arrays.stream(
                                    values.getOrDefault("replicas", "1,2,3").split(","))
                            .map(String::trim)
                            .map(Integer::valueOf)
                            .toList(),
                    values.getOrDefault("replica-heap", "512m"),
                    Integer.parseInt(values.getOrDefault("warm-up", "6000")),
                    Path.of(values.getOrDefault("out", "docs/benchmarks.md")),
                    Boolean.parseBoolean(values.getOrDefault("keep-test-classpath-hooks", "false")),
                    appArgs,
                    String.join(" ", args));
        }

        private static Set<String> only(String sections) {
            Set<String> only = Set.of(sections.split(","));
            if (only.contains("replicas") && only.size() > 1) {
                throw new IllegalArgumentException(
                        "--only=replicas runs on its own (its replica JVMs would share the cores with the others)");
            }
            return only;
        }

        boolean runs(String section) {
            return only.contains(section);
        }
    }
}
