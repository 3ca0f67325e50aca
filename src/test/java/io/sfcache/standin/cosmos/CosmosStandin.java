package io.sfcache.standin.cosmos;

import com.azure.cosmos.CosmosClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.standin.LoopbackTls;
import io.sfcache.standin.ProjectDir;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Cosmos DB for tests and {@code spring-boot:test-run}: the Node script in
 * {@code src/test/node/cosmos-standin} ({@code @vercel/cosmosdb-server} plus our patches) started
 * as a child process over HTTPS on 127.0.0.1 with a free port. Data lives in the Node process's
 * memory and is gone when it stops.
 *
 * <p>Use {@link #shared()} (one per JVM: a start costs a Node boot) or, for a private instance,
 * {@code try (var standin = new CosmosStandin().start()) { ... }}. The Node process also exits when
 * this JVM dies, because it watches its stdin, which this JVM holds.
 *
 * <p>Faults for reliability tests, while the stored data stays: {@link #makeUnavailable()} (every
 * request 503), {@link #failNext(int)}, {@link #throttle(Duration)} / {@link #throttleNext(int, Duration)}
 * (429 with a retry-after), and {@link #restore()}, which is harmless without a fault, so it suits
 * an {@code @AfterEach}. A fault applies to every client of this instance: with {@link #shared()},
 * to every test class in the JVM until restored.
 */
public final class CosmosStandin implements AutoCloseable {

    /**
     * The Cosmos DB emulator's published key. The stand-in checks no signature; the SDK only needs
     * a base64 key to sign with.
     */
    public static final String KEY =
            "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";
    /** Path of the {@code node} binary, when it is not {@code node} on the PATH. */
    public static final String NODE_PROPERTY = "cosmos.standin.node";
    /** {@code -Dcosmos.standin.trace=true} logs every request the stand-in answers. */
    public static final String TRACE_PROPERTY = "cosmos.standin.trace";

    private static final Pattern LISTENING = Pattern.compile("COSMOS_STANDIN_LISTENING port=(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final int STDERR_TAIL_LINES = 40;
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(CosmosStandin.class);
    private static final Logger NODE_LOG = LoggerFactory.getLogger(CosmosStandin.class.getName() + ".node");

    private static CosmosStandin shared;

    private final Path dir;
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private Process process;
    private Thread stderrPump;
    private Thread shutdownHook;
    private volatile int port = -1;
    private volatile boolean stopping;
    private volatile Duration startupTime;
    private Duration deadline;

    /** A stand-in run from this project's {@code src/test/node/cosmos-standin}; call {@link #start()}. */
    public CosmosStandin() {
        this(ProjectDir.get().resolve("src/test/node/cosmos-standin"));
    }

    CosmosStandin(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /**
     * How long the stand-in may take over one request before it answers 408 RequestTimeout instead (default 5 s);
     * set before {@link #start()}.
     */
    public CosmosStandin deadline(Duration deadline) {
        if (deadline.toMillis() < 1) {
            throw new IllegalArgumentException("deadline must be at least 1 ms: " + deadline);
        }
        this.deadline = deadline;
        return this;
    }

    /** The JVM-wide instance, started on first use and stopped when the JVM exits. */
    public static synchronized CosmosStandin shared() {
        if (shared == null) {
            shared = new CosmosStandin().start();
        }
        return shared;
    }

    /**
     * Starts Node and waits until it listens.
     *
     * @throws IllegalStateException with Node's stderr if it does not come up
     */
    public synchronized CosmosStandin start() {
        if (process != null) {
            throw new IllegalStateException("Cosmos DB stand-in already started");
        }
        checkInstalled();
        LoopbackTls.Material tls = LoopbackTls.ensureInstalled();
        String node = System.getProperty(NODE_PROPERTY, "node");
        ProcessBuilder builder = new ProcessBuilder(
                        node,
                        "server.js",
                        "--cert",
                        tls.certificatePem().toString(),
                        "--key",
                        tls.privateKeyPem().toString(),
                        "--port",
                        "0")
                .directory(dir.toFile());
        if (deadline != null) {
            builder.command().addAll(List.of("--deadline-ms", String.valueOf(deadline.toMillis())));
        }
        if (Boolean.getBoolean(TRACE_PROPERTY)) {
            builder.environment().put("COSMOS_STANDIN_TRACE", "1");
        }

        long startNanos = System.nanoTime();
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Cannot run `" + node + "` for the Cosmos DB stand-in: install Node.js 20+" + " or point -D"
                            + NODE_PROPERTY + " at it (" + e.getMessage() + ")",
                    e);
        }
        shutdownHook = new Thread(this::close, "cosmos-standin-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);

        CompletableFuture<Integer> listening = new CompletableFuture<>();
        pump(process.getInputStream(), "stdout", line -> {
            Matcher matcher = LISTENING.matcher(line);
            if (matcher.matches()) {
                listening.complete(Integer.parseInt(matcher.group(1)));
            }
            NODE_LOG.info("{}", line);
        });
        stderrPump = pump(process.getErrorStream(), "stderr", this::onStderr);
        process.onExit().thenAccept(p -> {
            listening.completeExceptionally(new IllegalStateException("Node exited with code " + p.exitValue()));
            if (listening.isDone() && !listening.isCompletedExceptionally() && !stopping) {
                // every later request fails with "connection refused": say why once
                LOG.error(
                        "Cosmos DB stand-in (pid {}) died with exit code {}; see its stderr above",
                        p.pid(),
                        p.exitValue());
            }
        });

        try {
            port = listening.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw startFailure("did not report listening within " + START_TIMEOUT.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw startFailure(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw startFailure("interrupted while waiting for it to listen", e);
        }
        startupTime = Duration.ofNanos(System.nanoTime() - startNanos);
        LOG.info(
                "Cosmos DB stand-in listening on {} (pid {}, up in {} ms)",
                endpoint(),
                process.pid(),
                startupTime.toMillis());
        return this;
    }

    /** {@code https://127.0.0.1:<port>/}, the address the stand-in also advertises to the SDK. */
    public String endpoint() {
        if (port < 0) {
            throw new IllegalStateException("Cosmos DB stand-in not started");
        }
        return "https://127.0.0.1:" + port + "/";
    }

    public int port() {
        endpoint();
        return port;
    }

    /** A key the SDK accepts; the stand-in does not check it. */
    public String key() {
        return KEY;
    }

    /**
     * A client builder for this stand-in with what the SDK needs to work against it: gateway mode
     * (the stand-in speaks no direct/TCP protocol), no endpoint discovery (it has no regions to
     * route to) and write responses with content: the stand-in ignores the SDK's "return minimal"
     * preference and always sends the item, so without this flag code that reads the item from a
     * write response would pass here and get nothing from a real account.
     */
    public CosmosClientBuilder newClientBuilder() {
        return new CosmosClientBuilder()
                .endpoint(endpoint())
                .key(KEY)
                .gatewayMode()
                .endpointDiscoveryEnabled(false)
                .contentResponseOnWriteEnabled(true);
    }

    /** The fault the stand-in answers Cosmos requests with; see {@link #faults()}. */
    public enum FaultMode {
        /** Normal service. */
        NONE,
        /** 503 ServiceUnavailable. */
        UNAVAILABLE,
        /** 429 TooManyRequests with {@code x-ms-retry-after-ms}. */
        THROTTLE,
        /** Connections accepted and requests read, never answered. */
        HANG
    }

    /**
     * The fault switch as the stand-in reports it.
     *
     * @param remaining how many more requests the fault applies to; empty means until {@link #restore()}
     * @param faultedRequests requests answered with a fault since the switch was last set, whatever
     *     the client: SDK retries and metadata reads count
     */
    public record FaultState(FaultMode mode, OptionalInt remaining, Duration retryAfter, long faultedRequests) {}

    /**
     * Answers every Cosmos request with 503 ServiceUnavailable until {@link #restore()}. The SDK
     * (4.75, one region) does not retry a gateway 503, so each operation fails at once with a
     * {@code CosmosException} of status 503.
     */
    public void makeUnavailable() {
        setFault(FaultMode.UNAVAILABLE, null, null);
    }

    /**
     * Accepts every Cosmos request and never answers it, until {@link #restore()}, which cuts the held requests
     * off: a store that hangs rather than refuses. Only the client's own deadlines end its calls.
     */
    public void hang() {
        setFault(FaultMode.HANG, null, null);
    }

    /** Answers the next {@code requests} Cosmos requests with 503, then serves normally again. */
    public void failNext(int requests) {
        setFault(FaultMode.UNAVAILABLE, positive(requests), null);
    }

    /**
     * Answers every Cosmos request with 429 and {@code retryAfter} until {@link #restore()}. The SDK
     * retries throttled requests itself (by default 9 times, within 30 s; see
     * {@code CosmosClientBuilder.throttlingRetryOptions}), then fails with status 429.
     */
    public void throttle(Duration retryAfter) {
        setFault(FaultMode.THROTTLE, null, retryAfter);
    }

    /** Answers the next {@code requests} Cosmos requests with 429 and {@code retryAfter}. */
    public void throttleNext(int requests, Duration retryAfter) {
        setFault(FaultMode.THROTTLE, positive(requests), retryAfter);
    }

    /** Back to normal service. Does nothing when no fault is set or the stand-in is not running. */
    public void restore() {
        if (isRunning()) {
            setFault(FaultMode.NONE, null, null);
        }
    }

    /** The current fault, read from the stand-in. */
    public FaultState faults() {
        return faultState(control(HttpRequest.newBuilder(controlUri()).GET()));
    }

    private void setFault(FaultMode mode, Integer count, Duration retryAfter) {
        ObjectNode body = JSON.createObjectNode().put("mode", mode.name().toLowerCase(Locale.ROOT));
        if (count != null) {
            body.put("count", count);
        }
        if (retryAfter != null) {
            if (retryAfter.isNegative()) {
                throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
            }
            body.put("retryAfterMs", retryAfter.toMillis());
        }
        FaultState state = faultState(control(HttpRequest.newBuilder(controlUri())
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))));
        if (mode != FaultMode.NONE) {
            LOG.info("Cosmos DB stand-in fault injected: {}", state);
        }
    }

    private static int positive(int requests) {
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be at least 1: " + requests);
        }
        return requests;
    }

    private URI controlUri() {
        return URI.create(endpoint() + "_standin/faults");
    }

    private static JsonNode control(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = ControlClient.HTTP.send(
                    request.timeout(CONTROL_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cosmos DB stand-in fault control failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling the Cosmos DB stand-in's fault control", e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    "Cosmos DB stand-in fault control answered " + response.statusCode() + ": " + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FaultState faultState(JsonNode json) {
        JsonNode remaining = json.path("remaining");
        return new FaultState(
                FaultMode.valueOf(json.path("mode").asText().toUpperCase(Locale.ROOT)),
                remaining.isInt() ? OptionalInt.of(remaining.asInt()) : OptionalInt.empty(),
                Duration.ofMillis(json.path("retryAfterMs").asLong()),
                json.path("faulted").asLong());
    }

    /**
     * The fault switch's HTTP client, made on first use. It trusts the stand-in's certificate
     * through its own SSLContext rather than the JVM default one, which may have been created
     * before {@link LoopbackTls#ensureInstalled()} and then never trusts it.
     */
    static final class ControlClient {
        static final HttpClient HTTP = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONTROL_TIMEOUT)
                .sslContext(LoopbackTls.clientContext())
                .build();
    }

    /** Time from launching Node to its LISTENING line. */
    public Duration startupTime() {
        return startupTime;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** For tests of the launcher itself. */
    synchronized Process process() {
        return process;
    }

    /** Stops Node: stdin closed and SIGTERM, then SIGKILL if it lingers. Idempotent. */
    @Override
    public synchronized void close() {
        Process p = process;
        if (p == null) {
            return;
        }
        stopping = true;
        if (p.isAlive()) {
            try {
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // it is being stopped anyway
            }
            p.destroy();
            try {
                if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("Cosmos DB stand-in (pid {}) ignored SIGTERM; killing it", p.pid());
                    p.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException jvmAlreadyShuttingDown) {
                // the hook runs anyway and finds nothing left to do
            }
        }
        port = -1;
    }

    private void checkInstalled() {
        if (!Files.isRegularFile(dir.resolve("server.js"))) {
            throw new IllegalStateException("No Cosmos DB stand-in at " + dir.resolve("server.js") + ": set -D"
                    + ProjectDir.PROPERTY + " to the project directory");
        }
        if (!Files.isDirectory(dir.resolve("node_modules/@vercel/cosmosdb-server"))) {
            throw new IllegalStateException("The Cosmos DB stand-in's Node packages are not installed in "
                    + dir.resolve("node_modules") + ": run ./mvnw generate-test-resources");
        }
    }

    private IllegalStateException startFailure(String why, Throwable cause) {
        close();
        try {
            stderrPump.join(Duration.ofSeconds(2).toMillis()); // let Node's last words arrive
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String stderr;
        synchronized (stderrTail) {
            stderr = stderrTail.isEmpty() ? "(nothing)" : String.join("\n", stderrTail);
        }
        process = null;
        return new IllegalStateException(
                "Cosmos DB stand-in in " + dir + " failed to start: " + why + "\nNode stderr:\n" + stderr, cause);
    }

    private void onStderr(String line) {
        synchronized (stderrTail) {
            if (stderrTail.size() == STDERR_TAIL_LINES) {
                stderrTail.removeFirst();
            }
            stderrTail.addLast(line);
        }
        if (line.startsWith("TRACE ")) {
            NODE_LOG.info("{}", line); // asked for with -Dcosmos.standin.trace=true
        } else {
            NODE_LOG.warn("{}", line);
        }
    }

    /** Drains a stream on its own daemon thread: a full pipe would stall Node. */
    private static Thread pump(InputStream stream, String name, Consumer<String> sink) {
        Thread thread = new Thread(
                () -> {
                    try (BufferedReader reader =
                            new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                            sink.accept(line);
                        }
                    } catch (IOException closed) {
                        // the process is gone
                    }
                },
                "cosmos-standin-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
