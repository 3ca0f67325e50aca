package io.sfcache.cluster;

import static org.awaitility.Awaitility.await;

import io.sfcache.SfcacheApplication;
import io.sfcache.standin.LoopbackTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;

/**
 * One sfcache replica in a JVM of its own: {@link SfcacheApplication} on the test classpath (started through
 * {@link Main}, which only adds "exit when the test JVM is gone"), pointed at the test JVM's stand-ins with
 * command-line properties, its output captured to a file per incarnation. It can be SIGKILLed and started again with
 * the same cluster id; each start is an {@link Incarnation} with its own ports, log and Prometheus scrapes. Public for
 * the replica benchmark (io.sfcache.bench).
 */
public final class ReplicaProcess {

    /** The replica's main class: sfcache's own, plus an exit when the JVM that started it goes (no orphans). */
    public static final class Main {
        private Main() {}

        public static void main(String[] args) {
            ProcessHandle.current()
                    .parent()
                    .ifPresent(parent ->
                            parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
            SpringApplication.run(SfcacheApplication.class, args);
        }
    }

    /** One start of the replica's JVM. */
    public static final class Incarnation {
        final String replica;
        final int number;
        final Process process;
        final Path log;
        final int serverPort;
        final int managementPort;
        final Instant started;
        volatile Instant ready;
        /** When SIGKILL was sent (null: not killed). */
        volatile Instant killed;
        /** When the process was seen gone. */
        volatile Instant exited;

        volatile Instant stopRequested;
        /** The last Prometheus text read from it, and when. */
        volatile Map<String, Double> lastScrape = Map.of();

        volatile Instant lastScrapeAt;

        Incarnation(
                String replica,
                int number,
                Process process,
                Path log,
                int serverPort,
                int managementPort,
                Instant started) {
            this.replica = replica;
            this.number = number;
            this.process = process;
            this.log = log;
            this.serverPort = serverPort;
            this.managementPort = managementPort;
            this.started = started;
        }

        public String name() {
            return replica + "#" + number;
        }

        public boolean alive() {
            return process.isAlive();
        }

        /** CPU time this JVM has used so far (user + system, as the OS reports it). */
        public Duration cpu() {
            return process.info().totalCpuDuration().orElse(Duration.ZERO);
        }

        URI management(String path) {
            return URI.create("http://127.0.0.1:" + managementPort + path);
        }

        List<String> logLines() {
            try {
                return Files.readAllLines(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return name() + " (pid " + process.pid() + ")";
        }
    }

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Every JVM any replica started, so a failing test leaves none behind. */
    private static final List<Process> ALL = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(() -> ALL.forEach(p -> p.toHandle().destroyForcibly()), "replica-processes-kill"));
    }

    final String id;
    private final Path logDir;
    private final List<String> jvmOptions;
    private final Map<String, String> properties;
    private final List<Incarnation> incarnations = new CopyOnWriteArrayList<>();

    /**
     * @param id         the replica's cluster member id ({@code camel.cluster.file.id}), kept across restarts
     * @param logDir     where each incarnation's output goes ({@code <id>-<n>.log})
     * @param jvmOptions heap, JIT and the like; the trust store of the stand-ins is added here
     * @param properties sfcache settings, passed as {@code --key=value}; ports are added per incarnation
     */
    public ReplicaProcess(String id, Path logDir, List<String> jvmOptions, Map<String, String> properties) {
        this.id = id;
        this.logDir = logDir;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.properties = new LinkedHashMap<>(properties);
        this.properties.put("camel.cluster.file.id", id);
    }

    /**
     * What every replica a test or benchmark starts shares: entities of its own (the shared stand-ins serve other
     * tests too), the queue path alone (no CDC, no repairs racing the pipeline), leader-only work once per new leader
     * (a reconciliation with a one-second first window: the Salesforce stand-in's records are not the run's changes;
     * a schema-drift check), nothing nobody looks at (reader probe, Hawtio, JMX), and one lock directory for all
     * replicas (the file cluster service, one lock per "master:" group).
     */
    public static Map<String, String> queuePathSettings(String queue, String hub, String database, Path clusterRoot) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("sfcache.servicebus.queue", queue);
        settings.put("sfcache.eventhubs.hub", hub);
        settings.put("sfcache.cosmos.database", database);
        settings.put("sfcache.salesforce.cdc.mode", "OFF");
        settings.put("sfcache.monitoring.healing.enabled", "false");
        settings.put("sfcache.monitoring.reconciliation.interval", "1h");
        settings.put("sfcache.monitoring.reconciliation.initial-window", "1s");
        settings.put("sfcache.monitoring.reconciliation.overlap", "1s");
        settings.put("sfcache.monitoring.schema-drift.interval", "1h");
        settings.put("sfcache.monitoring.reader-probe.enabled", "false");
        settings.put("sfcache.hawtio.enabled", "false");
        settings.put("spring.jmx.enabled", "false");
        settings.put("camel.cluster.file.root", clusterRoot.toString());
        return settings;
    }

    /** Starts a new incarnation (the JVM boots in the background; see {@link #awaitReady}). */
    public Incarnation start() {
        try {
            Files.createDirectories(logDir);
            int number = incarnations.size() + 1;
            int serverPort = freePort();
            int managementPort = freePort();
            Path log = logDir.resolve(id + "-" + number + ".log");
            Path argFile = logDir.resolve(id + "-" + number + ".args");
            LoopbackTls.Material tls = LoopbackTls.ensureInstalled();
            List<String> args = new ArrayList<>(jvmOptions);
            // The stand-ins' certificate (Cosmos over HTTPS, Salesforce Pub/Sub over TLS), as this JVM trusts it.
            args.add("-Djavax.net.ssl.trustStore=" + tls.trustStore());
            args.add("-Djavax.net.ssl.trustStorePassword=" + tls.trustStorePassword());
            args.add("-Djavax.net.ssl.trustStoreType=PKCS12");
            args.add("-cp");
            args.add(testClasspath());
            args.add(Main.class.getName());
            properties.forEach((key, value) -> args.add("--" + key + "=" + value));
            args.add("--server.port=" + serverPort);
            args.add("--management.server.port=" + managementPort);
            // A Java argument file: the classpath is longer than a command line may be.
            Files.write(argFile, args.stream().map(ReplicaProcess::quoted).toList(), StandardCharsets.UTF_8);
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process process = new ProcessBuilder(java.toString(), "@" + argFile)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            ALL.add(process);
            Incarnation incarnation =
                    new Incarnation(id, number, process, log, serverPort, managementPort, Instant.now());
            incarnations.add(incarnation);
            return incarnation;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start replica " + id, e);
        }
    }

    public Incarnation current() {
        return incarnations.get(incarnations.size() - 1);
    }

    List<Incarnation> incarnations() {
        return List.copyOf(incarnations);
    }

    /** Waits until the current incarnation reports ready (readiness group UP: Cosmos answers, context started). */
    public Incarnation awaitReady(Duration atMost) {
        Incarnation incarnation = current();
        await(incarnation.name() + " ready")
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(250))
                .failFast(
                        incarnation.name() + " exited while starting, see " + incarnation.log,
                        () -> !incarnation.alive())
                .until(() -> get(incarnation, "/actuator/health/readiness")
                        .map(r -> r.statusCode() == 200)
                        .orElse(false));
        incarnation.ready = Instant.now();
        return incarnation;
    }

    /**
     * SIGKILL: {@link ProcessHandle#destroyForcibly()}, which on Linux is {@code kill(pid, SIGKILL)} (checked by the exit
     * status in {@link #awaitKilled}). No shutdown hook, no graceful shutdown, nothing released by the JVM (the OS drops
     * its file locks and sockets). Returns once the signal is sent.
     */
    Incarnation signalKill() {
        Incarnation incarnation = current();
        if (!incarnation.process.toHandle().destroyForcibly()) {
            throw new IllegalStateException("could not signal " + incarnation);
        }
        incarnation.killed = Instant.now();
        return incarnation;
    }

    /** Waits for the SIGKILLed JVM to be gone; its exit status must be 137 (128 + 9), or it did not die of SIGKILL. */
    Incarnation awaitKilled() {
        Incarnation incarnation = current();
        try {
            if (!incarnation.process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(incarnation + " still alive 30 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        incarnation.exited = Instant.now();
        int status = incarnation.process.exitValue();
        if (status != 128 + 9) {
            throw new IllegalStateException(incarnation + " exited with " + status + ", not by SIGKILL (137)");
        }
        return incarnation;
    }

    /** SIGTERM: sfcache's graceful shutdown (in-flight messages finish). */
    public void requestStop() {
        Incarnation incarnation = current();
        if (incarnation.alive()) {
            incarnation.stopRequested = Instant.now();
            incarnation.process.destroy();
        }
    }

    /** Waits for a requested stop; a replica that does not stop in time is killed and reported. */
    public boolean awaitStopped(Duration atMost) {
        Incarnation incarnation = current();
        try {
            boolean stopped = incarnation.process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
            if (!stopped) {
                incarnation.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            incarnation.exited = Instant.now();
            return stopped;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Kills whatever still runs (after a failure). */
    public void destroyAll() {
        for (Incarnation incarnation : incarnations) {
            if (incarnation.alive()) {
                incarnation.process.destroyForcibly();
                try {
                    incarnation.process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Reads {@code /actuator/prometheus} (open on the management port) into series -> value; keeps it. */
    static Optional<Map<String, Double>> scrape(Incarnation incarnation) {
        return scrape(incarnation, List.of());
    }

    /**
     * Reads only the named metrics (Spring Boot's {@code includedNames}): a full scrape of a busy replica takes a
     * second or more on two cores, and the test wants the counters as close to a SIGKILL as it can have them.
     */
    static Optional<Map<String, Double>> scrape(Incarnation incarnation, List<String> names) {
        String query = names.isEmpty() ? "" : "?includedNames=" + String.join(",", names);
        Optional<Map<String, Double>> scraped = get(incarnation, "/actuator/prometheus" + query)
                .filter(r -> r.statusCode() == 200)
                .map(r -> PrometheusText.parse(r.body()));
        scraped.ifPresent(series -> {
            incarnation.lastScrape = series;
            incarnation.lastScrapeAt = Instant.now();
        });
        return scraped;
    }

    private static Optional<HttpResponse<String>> get(Incarnation incarnation, String path) {
        if (!incarnation.alive()) {
            return Optional.empty();
        }
        try {
            return Optional.of(HTTP.send(
                    HttpRequest.newBuilder(incarnation.management(path))
                            .timeout(Duration.ofSeconds(5))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * The test runtime classpath (target/classes, target/test-classes and the dependencies). Surefire sets
     * {@code java.class.path} to it in its forked JVM; {@code surefire.test.class.path} is the fallback.
     */
    static String testClasspath() {
        for (String property : List.of("java.class.path", "surefire.test.class.path")) {
            String classpath = System.getProperty(property, "");
            if (classpath.contains("test-classes")) {
                return classpath;
            }
        }
        throw new IllegalStateException(
                "the test classpath is in neither java.class.path nor surefire.test.class.path: "
                        + System.getProperty("java.class.path"));
    }

    private static String quoted(String arg) {
        return "\"" + arg.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
