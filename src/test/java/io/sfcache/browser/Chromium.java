package io.sfcache.browser;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sfcache.standin.ProjectDir;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.FileSystemUtils;

/**
 * Runs a Node script from {@code src/test/node/browser-tests} that drives the OS's headless Chromium through
 * playwright-core, and returns the JSON result the script prints. The scripts share {@code lib/browser.js}: fresh
 * profile per run, closed-network launch flags, every request off this machine aborted and reported in
 * {@code blocked}, screenshot at the end.
 *
 * <pre>{@code
 * JsonNode result = Chromium.require().script("graphiql-query.js")
 *         .env("BASE_URL", base).screenshot("my-test").run();
 * }</pre>
 *
 * The browser is the OS's Chromium when there is one ({@value #PATH_VARIABLE}, else {@code /usr/bin/chromium}), and
 * otherwise the headless Chromium the npm package {@code @sparticuz/chromium} carries (installed with the scripts by
 * the build, unpacked on first use): the tests never skip for want of a browser.
 */
public final class Chromium {

    /** Where Chromium is, when not at {@code /usr/bin/chromium}. */
    public static final String PATH_VARIABLE = "CHROMIUM_PATH";

    private static final Logger LOG = LoggerFactory.getLogger(Chromium.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESULT_PREFIX = "BROWSER_RESULT ";
    private static final int STDERR_TAIL_LINES = 30;

    private static Path found;

    private final Path executable;
    private final Path scripts;

    private Chromium(Path executable, Path scripts) {
        this.executable = executable;
        this.scripts = scripts;
    }

    /** Chromium ready to drive: the OS's, or the one the build brought with the scripts. */
    public static Chromium require() {
        Path scripts = ProjectDir.get().resolve("src/test/node/browser-tests");
        if (!Files.isDirectory(scripts.resolve("node_modules/playwright-core"))) {
            // The build installs it (exec-maven-plugin, browser-tests-npm-ci): a missing one is a broken build.
            throw new IllegalStateException("playwright-core is not installed in " + scripts
                    + ": run ./mvnw test-compile (it runs npm ci there), or npm ci in that directory");
        }
        return new Chromium(executable(scripts), scripts);
    }

    /** Found once per JVM. */
    private static synchronized Path executable(Path scripts) {
        if (found == null) {
            String configured = System.getenv(PATH_VARIABLE);
            Path os = Path.of(configured == null || configured.isBlank() ? "/usr/bin/chromium" : configured);
            found = Files.isExecutable(os) ? os : bundled(scripts);
            LOG.info("Browser tests use Chromium at {}", found);
        }
        return found;
    }

    /** The headless Chromium inside the npm package @sparticuz/chromium, unpacked by chromium-path.mjs. */
    private static Path bundled(Path scripts) {
        try {
            Process process = new ProcessBuilder("node", "chromium-path.mjs")
                    .directory(scripts.toFile())
                    .redirectErrorStream(true)
                    .start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("unpacking the bundled Chromium took over 2 minutes");
            }
            List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            Path path =
                    lines.isEmpty() ? null : Path.of(lines.get(lines.size() - 1).trim());
            if (process.exitValue() != 0 || path == null || !Files.isExecutable(path)) {
                throw new IllegalStateException("no Chromium: none at /usr/bin/chromium (or " + PATH_VARIABLE
                        + ") and the bundled one did not unpack: " + String.join("\n", lines));
            }
            return path;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run node to unpack the bundled Chromium: install Node.js 20+", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Script script(String fileName) {
        return new Script(fileName);
    }

    /** One run of one script: its arguments, environment, screenshot name and deadline. */
    public final class Script {

        private final String fileName;
        private final List<String> arguments = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String screenshotName;
        private Duration timeout = Duration.ofMinutes(2);

        private Script(String fileName) {
            this.fileName = fileName;
        }

        public Script arguments(String... values) {
            arguments.addAll(List.of(values));
            return this;
        }

        public Script env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** Saves a full-page screenshot as {@code target/browser-tests/<name>.png} (also when the script fails). */
        public Script screenshot(String name) {
            screenshotName = name;
            return this;
        }

        /** For the whole process: browser start, every step, shutdown. Steps have their own 15 s deadline. */
        public Script timeout(Duration value) {
            timeout = value;
            return this;
        }

        /**
         * Runs the script and returns its result.
         *
         * @throws AssertionError when the script reports a failure, prints no result or overruns its deadline,
         *                        with its error, the screenshot's path and the tail of its stderr
         */
        public JsonNode run() {
            Path profile = createProfileDirectory();
            try {
                return runWith(profile);
            } finally {
                deleteQuietly(profile);
            }
        }

        private JsonNode runWith(Path profile) {
            List<String> command = new ArrayList<>(List.of("node", fileName));
            command.addAll(arguments);
            ProcessBuilder builder = new ProcessBuilder(command).directory(scripts.toFile());
            builder.environment().putAll(environment);
            builder.environment().put(PATH_VARIABLE, executable.toString());
            builder.environment().put("CHROMIUM_USER_DATA_DIR", profile.toString());
            if (screenshotName != null) {
                builder.environment()
                        .put("SCREENSHOT_PATH", screenshotPath(screenshotName).toString());
            }
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IllegalStateException("Cannot run node for " + fileName + ": install Node.js 20+", e);
            }
            CompletableFuture<String> result = new CompletableFuture<>();
            Deque<String> stderrTail = new ArrayDeque<>();
            Thread stdout = pump(process.getInputStream(), line -> {
                if (line.startsWith(RESULT_PREFIX)) {
                    result.complete(line.substring(RESULT_PREFIX.length()));
                } else {
                    LOG.info("[{}] {}", fileName, line);
                }
            });
            Thread stderr = pump(process.getErrorStream(), line -> {
                LOG.warn("[{}] {}", fileName, line);
                synchronized (stderrTail) {
                    stderrTail.addLast(line);
                    if (stderrTail.size() > STDERR_TAIL_LINES) {
                        stderrTail.removeFirst();
                    }
                }
            });
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new AssertionError(
                            fileName + " did not finish within " + timeout.toSeconds() + " s" + tail(stderrTail));
                }
                stdout.join(Duration.ofSeconds(5).toMillis());
                stderr.join(Duration.ofSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IllegalStateException(e);
            }
            if (!result.isDone()) {
                throw new AssertionError(
                        fileName + " exited with code " + process.exitValue() + " without a result" + tail(stderrTail));
            }
            JsonNode json = parse(result.join());
            if (!json.path("ok").asBoolean()) {
                throw new AssertionError(
                        fileName + " failed: " + json.path("error").asText()
                                + "\n  screenshot: " + json.path("screenshot").asText("none")
                                + "\n  blocked requests: " + json.path("blocked")
                                + "\n  console errors: " + json.path("consoleErrors")
                                + "\n  page errors: " + json.path("pageErrors")
                                + "\n  HTTP errors: " + json.path("httpErrors") + tail(stderrTail));
            }
            return json;
        }
    }

    private static Path screenshotPath(String name) {
        Path dir = ProjectDir.get().resolve("target/browser-tests");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.resolve(name + ".png");
    }

    private static Path createProfileDirectory() {
        try {
            return Files.createTempDirectory("sfcache-chromium-profile-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            FileSystemUtils.deleteRecursively(dir);
        } catch (IOException e) {
            LOG.warn("Could not delete Chromium profile {}: {}", dir, e.toString());
        }
    }

    private static Thread pump(InputStream stream, Consumer<String> lines) {
        Thread thread = new Thread(
                () -> {
                    try (BufferedReader reader =
                            new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            lines.accept(line);
                        }
                    } catch (IOException e) {
                        // the process went away; its exit code tells the rest
                    }
                },
                "chromium-script-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("browser script printed an unreadable result: " + json, e);
        }
    }

    private static String tail(Deque<String> lines) {
        synchronized (lines) {
            return lines.isEmpty() ? "" : "\n  stderr (last lines):\n    " + String.join("\n    ", lines);
        }
    }
}
