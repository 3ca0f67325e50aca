package io.sfcache.standin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code node --test <files>} in a directory of this project, as JUnit tests do for suites written in
 * JavaScript: node's output is printed as it comes (so a hanging test shows where it is) and kept for the
 * assertion message, and the whole run has a deadline after which node and its children are killed.
 *
 * @param exitCode node's exit code, or -1 when it was killed at the deadline
 */
public record NodeTestRun(int exitCode, String output, Duration took, boolean timedOut) {

    /** Path of the {@code node} binary, when it is not {@code node} on the PATH (shared with the Cosmos stand-in). */
    public static final String NODE_PROPERTY = "cosmos.standin.node";

    public static NodeTestRun run(Path dir, Map<String, String> environment, Duration deadline, String... files) {
        // --test-force-exit: a client left open by a failed test must not keep node alive (Node >= 20.14).
        List<String> command = new ArrayList<>(List.of(
                System.getProperty(NODE_PROPERTY, "node"), "--test", "--test-force-exit", "--test-reporter=spec"));
        command.addAll(List.of(files));
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        long start = System.nanoTime();
        Process node;
        try {
            node = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command + " in " + dir + ": install Node.js 20+", e);
        }
        StringBuilder output = new StringBuilder();
        Thread pump = new Thread(
                () -> {
                    try (BufferedReader lines =
                            new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                            System.out.println("[node --test] " + line);
                            synchronized (output) {
                                output.append(line).append('\n');
                            }
                        }
                    } catch (IOException ended) {
                        // node is gone
                    }
                },
                "node-test-output");
        pump.setDaemon(true);
        pump.start();
        boolean finished;
        try {
            finished = node.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                node.descendants().forEach(ProcessHandle::destroyForcibly);
                node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            pump.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            node.descendants().forEach(ProcessHandle::destroyForcibly);
            node.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
        synchronized (output) {
            return new NodeTestRun(
                    finished ? node.exitValue() : -1,
                    output.toString(),
                    Duration.ofNanos(System.nanoTime() - start),
                    !finished);
        }
    }

    /** What to show when the run failed: how it ended and node's output. */
    public String describe() {
        return (timedOut
                        ? "node --test did not finish in " + took.toSeconds() + " s and was killed"
                        : "node --test exited with " + exitCode + " after " + took.toMillis() + " ms")
                + "; its output:\n" + output;
    }
}
