package io.sfcache.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;

/** The results as Markdown: printed, and written to docs/benchmarks.md with the machine and the command. */
final class Report {

    private final Benchmarks.Options options;
    private final List<String> sections = new ArrayList<>();
    private final List<String> footprint = new ArrayList<>();
    private final Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private String loadBefore = "?";
    private String loadAfter = "?";
    private Map<String, String> settings = Map.of();

    Report(Benchmarks.Options options) {
        this.options = options;
    }

    void loadBefore() {
        loadBefore = loadAverage();
    }

    void loadAfter() {
        loadAfter = loadAverage();
    }

    void settings(Map<String, String> settings) {
        this.settings = settings;
    }

    void timeToReady(double seconds, StartupTimeline timeline) {
        footprint.add(row("Time to ready (SpringApplication.run, stand-ins already up)", fmt("%.1f s", seconds)));
        // The slowest single steps (a bean's time includes the beans it needed first, so nested ones overlap).
        footprint.add(row("Slowest start-up steps (Spring's application startup, inclusive)", ""));
        timeline.getEvents().stream()
                .sorted(Comparator.comparing(StartupTimeline.TimelineEvent::getDuration)
                        .reversed())
                .limit(12)
                .forEach(event -> footprint.add(row(
                        "&nbsp;&nbsp;" + event.getStartupStep().getName() + " "
                                + StreamSupport.stream(
                                                event.getStartupStep().getTags().spliterator(), false)
                                        .map(tag -> tag.getValue())
                                        .collect(Collectors.joining(" ")),
                        fmt("%.2f s", event.getDuration().toMillis() / 1000.0))));
    }

    void footprintAfterDrain() {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        footprint.add(row(
                "Resident memory after the drain (whole JVM: sfcache + in-JVM stand-ins + harness)",
                fmt("%.0f MB", rssKilobytes() / 1024.0)));
        footprint.add(row("Heap in use after the drain and a GC", fmt("%.0f MB", heap / 1048576.0)));
    }

    void drain(
            List<DrainBenchmark.Result> results,
            List<Double> upserts,
            List<Double> bulk,
            List<Double> raw,
            List<Double> processor,
            Map<String, Double> cpu) {
        double pipeline = Stats.median(
                results.stream().map(DrainBenchmark.Result::perSecond).toList());
        double upsert = Stats.median(upserts);
        double bulked = Stats.median(bulk);
        double cosmos = Math.max(upsert, bulked);
        double queue = Stats.median(raw);
        double limit = Math.min(cosmos, queue);
        DrainBenchmark.Result any = results.get(0);
        List<String> lines = new ArrayList<>();
        lines.add("## 1. Backlog drain");
        lines.add("");
        lines.add(fmt(
                "%d change messages already on the queue (Account, Contact, Opportunity in turn; %d updates of "
                        + "records created earlier in the backlog; %d invalid, %d%%), then the consumer starts; time until every "
                        + "message is settled, i.e. stored or dead-lettered and every event published. Median of %d runs after "
                        + "a warm-up drain of %d; the limits are measured in the same runs with the same documents and "
                        + "messages.",
                any.messages(),
                any.updates(),
                any.invalid(),
                options.invalidPercent(),
                results.size(),
                Benchmarks.WARM_UP_MESSAGES));
        lines.add("");
        lines.add("| What | records/s (median) | runs | pipeline ÷ this | JVM CPU ms/record |");
        lines.add("|---|---:|---|---:|---:|");
        lines.add(rateRow(
                "**sfcache pipeline** (validate, batched read + order guard + conditional bulk write, event, complete)",
                pipeline,
                results.stream().map(DrainBenchmark.Result::perSecond).toList(),
                pipeline,
                cpu.get("pipeline")));
        lines.add(rateRow(
                "Cosmos SDK: concurrent async upserts (64 in flight)", upsert, upserts, pipeline, cpu.get("upserts")));
        lines.add(
                rateRow("Cosmos SDK: bulk (executeBulkOperations, upserts)", bulked, bulk, pipeline, cpu.get("bulk")));
        lines.add(rateRow(
                "Service Bus stand-in, raw: SDK processor, 64 concurrent, prefetch " + QueueLimit.DEEPEST_PREFETCH
                        + ", empty handler, complete",
                queue,
                raw,
                pipeline,
                cpu.get("raw")));
        lines.add(rateRow(
                fmt("Service Bus processor client, sfcache's settings (%s), empty handler", settings),
                Stats.median(processor),
                processor,
                pipeline,
                cpu.get("processor")));
        lines.add("");
        lines.add(fmt(
                "**Limit** = min(fastest Cosmos way, raw queue) = %.0f records/s. **Pipeline ÷ limit = %.2f** "
                        + "(%.0f%%).",
                limit, pipeline / limit, 100 * pipeline / limit));
        lines.add("");
        lines.add("Per run: "
                + String.join(
                        "; ",
                        results.stream()
                                .map(r -> fmt(
                                        "%.1f s, %d events, %d dead letters",
                                        r.seconds(), r.events(), r.deadLettered()))
                                .toList())
                + ".");
        sections.add(String.join("\n", lines));
    }

    void stepTimes(
            DrainBenchmark.Result result, List<StepTimes.Step> routes, List<StepTimes.Step> steps, int concurrency) {
        List<String> lines = new ArrayList<>();
        lines.add("### Where the drain's time goes (last run, Camel's per-route and per-step statistics)");
        lines.add("");
        lines.add("CPU per message by JVM thread group during the run (Linux /proc; the JIT compiler's share shrinks "
                + "with longer runs), and the Cosmos stand-in's (Node) own: "
                + fmt("%.2f ms.", result.cpu().childSeconds() * 1000 / result.messages()));
        lines.add("");
        lines.add("| Thread group | CPU ms/message |");
        lines.add("|---|---:|");
        result.threadCpu().entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(8)
                .forEach(e -> lines.add(fmt("| %s | %.2f |", e.getKey(), e.getValue() * 1000 / result.messages())));
        lines.add(fmt("| **whole JVM** | **%.2f** |", result.cpu().jvmSeconds() * 1000 / result.messages()));
        lines.add("");
        lines.add(fmt(
                "Wall time %.1f s for %d messages with %d consumers = %.2f consumer-ms per message. Time per "
                        + "message in each route and step (totals are summed over the concurrent consumers; a route's time "
                        + "includes the routes it calls; a store's includes waiting for its batch):",
                result.seconds(),
                result.messages(),
                concurrency,
                result.seconds() * 1000 * concurrency / result.messages()));
        lines.add("");
        lines.add("| Route / step | exchanges | mean ms | total s |");
        lines.add("|---|---:|---:|---:|");
        for (StepTimes.Step route : routes) {
            lines.add(fmt(
                    "| route `%s` | %d | %.2f | %.1f |",
                    route.id(), route.count(), route.meanMillis(), route.totalMillis() / 1000.0));
        }
        steps.stream()
                .limit(25)
                .forEach(step -> lines.add(fmt(
                        "| `%s` / `%s` | %d | %.2f | %.1f |",
                        step.route(), step.id(), step.count(), step.meanMillis(), step.totalMillis() / 1000.0)));
        sections.add(String.join("\n", lines));
    }

    void lag(Map<Integer, List<SteadyLoadBenchmark.Result>> byRate, int seconds) {
        List<String> lines = new ArrayList<>();
        lines.add("## 2. Lag under steady load");
        lines.add("");
        lines.add(fmt(
                "Changes sent at a fixed rate for %d s per run (3 creates to 1 update), each stamped with its commit "
                        + "time as sent; lag = the change's event enqueued on Event Hubs (sfcache publishes right after the "
                        + "write) minus its commit time: Salesforce commit to stored and announced. Median over runs of each "
                        + "run's percentile.",
                seconds));
        lines.add("");
        lines.add("| Rate (records/s) | achieved | p50 ms | p95 ms | p99 ms | runs (p50 / p95 / p99) |");
        lines.add("|---:|---:|---:|---:|---:|---|");
        byRate.forEach((rate, results) -> lines.add(fmt(
                "| %d | %.0f | %.0f | %.0f | %.0f | %s |",
                rate,
                Stats.median(results.stream()
                        .map(SteadyLoadBenchmark.Result::achievedRate)
                        .toList()),
                Stats.median(
                        results.stream().map(SteadyLoadBenchmark.Result::p50).toList()),
                Stats.median(
                        results.stream().map(SteadyLoadBenchmark.Result::p95).toList()),
                Stats.median(
                        results.stream().map(SteadyLoadBenchmark.Result::p99).toList()),
                String.join(
                        "; ",
                        results.stream()
                                .map(r -> fmt("%.0f / %.0f / %.0f", r.p50(), r.p95(), r.p99()))
                                .toList()))));
        sections.add(String.join("\n", lines));
    }

    void reads(Map<String, List<ReadBenchmark.Result>> byKind, int concurrency, int seconds, int records) {
        List<String> lines = new ArrayList<>();
        lines.add("## 3. Reads");
        lines.add("");
        lines.add(fmt(
                "%d callers back to back, 2 s warm-up then %d s measured per run, %d Accounts synced through the "
                        + "pipeline, random ids. GraphQL over HTTP with a bearer token (validated per request); the SDK read "
                        + "is the raw floor from the same Cosmos. Median over runs.",
                concurrency, seconds, records));
        lines.add("");
        lines.add("| Read | requests/s | p50 ms | p99 ms | p50 ÷ SDK p50 | p99 ÷ SDK p99 |");
        lines.add("|---|---:|---:|---:|---:|---:|");
        List<ReadBenchmark.Result> sdk = byKind.values().iterator().next();
        double sdk50 = Stats.median(sdk.stream().map(ReadBenchmark.Result::p50).toList());
        double sdk99 = Stats.median(sdk.stream().map(ReadBenchmark.Result::p99).toList());
        byKind.forEach((what, results) -> {
            double p50 =
                    Stats.median(results.stream().map(ReadBenchmark.Result::p50).toList());
            double p99 =
                    Stats.median(results.stream().map(ReadBenchmark.Result::p99).toList());
            lines.add(fmt(
                    "| %s | %.0f | %.2f | %.2f | %.1f | %.1f |",
                    what,
                    Stats.median(results.stream()
                            .map(ReadBenchmark.Result::perSecond)
                            .toList()),
                    p50,
                    p99,
                    p50 / sdk50,
                    p99 / sdk99));
        });
        sections.add(String.join("\n", lines));
    }

    void cpu(List<RecordCpuRunner.Result> results) {
        List<String> lines = new ArrayList<>();
        lines.add("## 4. Per-record CPU (JMH)");
        lines.add("");
        lines.add("A realistic Account CREATE through sfcache's own beans (io.sfcache.bench.RecordCpuBenchmark): JMH "
                + "1.37, average time, 1 fork, 5 × 1 s warm-up, 5 × 1 s measured; median of the iterations.");
        lines.add("");
        lines.add("| Step | µs/record (median) | mean ± 99.9% error |");
        lines.add("|---|---:|---:|");
        results.forEach(
                r -> lines.add(fmt("| %s | %.1f | %.1f ± %.1f |", r.benchmark(), r.median(), r.mean(), r.error())));
        sections.add(String.join("\n", lines));
    }

    void write() throws IOException {
        StringBuilder text = new StringBuilder();
        text.append("# sfcache benchmarks\n\n");
        text.append("Measured by `io.sfcache.bench.Benchmarks` (src/test/java/io/sfcache/bench) on the local "
                + "stand-ins, one sfcache instance, one machine. Speed is measured here, never asserted in tests.\n\n");
        text.append("- Command: `./mvnw -B -Pbench test");
        if (!options.commandLine().isBlank()) {
            text.append(" -Dbench.args=\"").append(options.commandLine()).append('"');
        }
        text.append("`\n");
        text.append("- Run at: ").append(started).append('\n');
        text.append("- Machine: ").append(machine()).append('\n');
        text.append("- Load average (1, 5, 15 min) before: ")
                .append(loadBefore)
                .append("; after: ")
                .append(loadAfter)
                .append('\n');
        text.append("- sfcache settings: ").append(settings).append("\n\n");
        for (String section : sections) {
            text.append(section).append("\n\n");
        }
        text.append("## 5. Footprint\n\n| What | Value |\n|---|---:|\n");
        footprint.forEach(row -> text.append(row).append('\n'));
        String out = text.toString();
        System.out.println(out);
        if (!options.out().toString().equals("-")) {
            Path path = options.out();
            String existing = Files.exists(path) ? Files.readString(path) : "";
            // Hand-written analysis below the marker survives a re-run.
            int marker = existing.indexOf(ANALYSIS_MARKER);
            String analysis = marker >= 0 ? existing.substring(marker) : ANALYSIS_MARKER + "\n";
            Files.createDirectories(path.toAbsolutePath().getParent());
            Files.writeString(path, out + analysis);
            System.out.println("Written to " + path.toAbsolutePath());
        }
    }

    static final String ANALYSIS_MARKER = "<!-- analysis: kept across runs -->";

    private String rateRow(String what, double median, List<Double> runs, double pipeline, double cpuMillis) {
        return fmt(
                "| %s | %.0f | %s | %.3f | %.2f |",
                what,
                median,
                String.join(", ", runs.stream().map(r -> fmt("%.0f", r)).toList()),
                pipeline / median,
                cpuMillis);
    }

    static String row(String what, String value) {
        return "| " + what + " | " + value + " |";
    }

    static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + ", " + parts[1] + ", " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long rssKilobytes() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst()
                    .orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse(cpu);
        } catch (IOException e) {
            // not Linux: the CPU stays unnamed
        }
        return fmt(
                "%d cores (%s), %.1f GB RAM, %s %s, Java %s (%s)",
                Runtime.getRuntime().availableProcessors(),
                cpu,
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                                .getTotalMemorySize()
                        / 1073741824.0,
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"));
    }
}
