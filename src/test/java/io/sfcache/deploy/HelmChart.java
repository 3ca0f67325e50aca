package io.sfcache.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.sfcache.standin.ProjectDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Helm chart in {@code helm/sfcache}, rendered in-process by helm-java (Helm 3's own code) into manifests a test
 * can read: {@code kind -> name -> object} as Jackson trees.
 */
public final class HelmChart {

    public static final String RELEASE = "sfcache";
    public static final String NAMESPACE = "sfcache";
    /** The oldest Kubernetes the chart supports (Chart.yaml kubeVersion): what the manifests must be valid for. */
    public static final String KUBE_VERSION = "1.30.0";
    /** Names the app exports: sfcache's own, and the Spring/Camel ones the dashboard and alerts may use. */
    private static final Pattern METRIC =
            Pattern.compile("\\b((?:sfcache|camel|graphql|http_server|jvm)_[a-z0-9_]+)\\b");

    private static final ObjectMapper JSON = new ObjectMapper();

    private HelmChart() {}

    public static Path directory() {
        return ProjectDir.get().resolve("helm/sfcache");
    }

    /** Renders the chart with the given values files (relative to the chart) and --set values. */
    public static Rendered render(List<String> valuesFiles, Map<String, Object> set) {
        TemplateCommand template = new Helm(directory())
                .template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        valuesFiles.forEach(file -> template.withValuesFile(directory().resolve(file)));
        set.forEach(template::set);
        return new Rendered(template.call());
    }

    public static Rendered renderDefaults() {
        return render(List.of(), Map.of());
    }

    /** Metric names in PromQL or dashboard text, e.g. {@code sfcache_sync_lag_seconds_bucket}. */
    public static TreeSet<String> metricNames(String promql) {
        TreeSet<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(promql);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /** The output of one {@code helm template}. */
    public static final class Rendered {

        private final String text;
        private final List<JsonNode> objects = new ArrayList<>();

        Rendered(String text) {
            this.text = text;
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            for (Object document : yaml.loadAll(text)) {
                if (document != null) {
                    objects.add(JSON.valueToTree(document));
                }
            }
        }

        public String text() {
            return text;
        }

        public List<JsonNode> objects() {
            return Collections.unmodifiableList(objects);
        }

        public List<JsonNode> ofKind(String kind) {
            return objects.stream()
                    .filter(o -> kind.equals(o.path("kind").asText()))
                    .toList();
        }

        public JsonNode one(String kind) {
            List<JsonNode> found = ofKind(kind);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + kind + ", rendered " + found.size());
            }
            return found.get(0);
        }

        public JsonNode container() {
            return one("Deployment")
                    .path("spec")
                    .path("template")
                    .path("spec")
                    .path("containers")
                    .get(0);
        }

        /** Value of the container's environment variable, or null when it is not set by value. */
        public String env(String name) {
            for (JsonNode variable : container().path("env")) {
                if (name.equals(variable.path("name").asText())) {
                    return variable.has("value") ? variable.path("value").asText() : null;
                }
            }
            return null;
        }

        /** Every PromQL expression: the alert rules' and the dashboard's. */
        public List<String> promqlExpressions() {
            List<String> expressions = new ArrayList<>();
            ofKind("PrometheusRule")
                    .forEach(rule -> rule.path("spec")
                            .path("groups")
                            .forEach(group -> group.path("rules")
                                    .forEach(r -> expressions.add(r.path("expr").asText()))));
            forEachDashboardTarget(target -> expressions.add(target.path("expr").asText()));
            return expressions;
        }

        public void forEachDashboardTarget(Consumer<JsonNode> action) {
            for (JsonNode configMap : ofKind("ConfigMap")) {
                JsonNode dashboard = configMap.path("data").path("sfcache.json");
                if (!dashboard.isMissingNode()) {
                    try {
                        JSON.readTree(dashboard.asText())
                                .path("panels")
                                .forEach(panel -> panel.path("targets").forEach(action));
                    } catch (IOException e) {
                        throw new AssertionError("the dashboard is not JSON", e);
                    }
                }
            }
        }

        /** Writes the objects as one JSON array (the Node validator's input). */
        public Path writeJson(Path file) {
            try {
                Files.createDirectories(Objects.requireNonNull(file.getParent()));
                JSON.writeValue(file.toFile(), objects);
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
