package io.sfcache.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sfcache.standin.ProjectDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Validates manifests against Kubernetes' OpenAPI schemas offline, through {@code src/test/node/k8s-validate}
 * (kubernetes-models, plus its prometheus-operator and KEDA packages for ServiceMonitor, PrometheusRule,
 * ScaledObject and TriggerAuthentication). The build installs it with {@code npm ci}.
 */
final class KubernetesSchemas {

    private static final String RESULT_PREFIX = "VALIDATION_RESULT ";

    private KubernetesSchemas() {}

    /** One entry per object: apiVersion, kind, name, errors (empty when valid). */
    static JsonNode validate(Path manifestsJson) throws IOException, InterruptedException {
        Path dir = ProjectDir.get().resolve("src/test/node/k8s-validate");
        if (!Files.isDirectory(dir.resolve("node_modules/kubernetes-models"))) {
            throw new IllegalStateException("kubernetes-models is not installed in " + dir
                    + ": run ./mvnw test-compile (it runs npm ci there)");
        }
        Process process = new ProcessBuilder(List.of("node", "validate.mjs", manifestsJson.toString()))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output;
        try (var stream = process.getInputStream()) {
            output = new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("validate.mjs did not finish within 60 s:\n" + output);
        }
        return output.lines()
                .filter(line -> line.startsWith(RESULT_PREFIX))
                .findFirst()
                .map(line -> parse(line.substring(RESULT_PREFIX.length())))
                .orElseThrow(() -> new AssertionError(
                        "validate.mjs printed no result (exit " + process.exitValue() + "):\n" + output));
    }

    private static JsonNode parse(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new AssertionError("unreadable validation result: " + json, e);
        }
    }
}
