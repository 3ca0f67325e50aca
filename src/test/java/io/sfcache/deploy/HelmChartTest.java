package io.sfcache.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.sfcache.standin.ProjectDir;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.convert.DurationStyle;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart, linted and rendered by Helm itself (helm-java) for the default values and realistic values files
 * ({@code helm/sfcache/ci/*.yaml}), the manifests validated against Kubernetes' schemas, and what matters checked:
 * no secret in any manifest, hardened pods that shut down gracefully, probes on sfcache's health groups, the CDC lease,
 * routes from a ConfigMap, the alerts of the run-book. {@code MonitoringContractTest} checks the alerts' and the
 * dashboard's metric names against a scrape of the running app.
 */
class HelmChartTest {

    private static final String DEFAULTS = "defaults";
    private static final String PRODUCTION = "ci/production-workload-identity.yaml";
    private static final String CDC_ON = "ci/cdc-on.yaml";
    private static final String KEDA_ON = "ci/keda-on.yaml";
    private static final List<String> ALERTS = List.of(
            "SfcacheLagSloBreached",
            "SfcacheDataStale",
            "SfcacheHeartbeatMissing",
            "SfcachePublisherUnhealthy",
            "SfcacheSchemaDrift",
            "SfcacheDeadLettersGrowing",
            "SfcacheConsumerStalled",
            "SfcacheReconciliationRepairing",
            "SfcachePublisherLosingMessages",
            "SfcacheReaderProbeStale",
            "SfcacheHealingStuck",
            "SfcacheDependencyDown");

    static Stream<String> valuesCases() {
        return Stream.of(DEFAULTS, PRODUCTION, CDC_ON, KEDA_ON);
    }

    private static HelmChart.Rendered render(String valuesCase) {
        return DEFAULTS.equals(valuesCase)
                ? HelmChart.renderDefaults()
                : HelmChart.render(List.of(valuesCase), Map.of());
    }

    @Test
    void lintPassesInStrictMode() {
        LintResult lint = new Helm(HelmChart.directory()).lint().strict().call();

        assertThat(lint.isFailed())
                .as("helm lint --strict: %s", lint.getMessages())
                .isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesCases")
    void everyRenderedManifestIsAValidKubernetesObject(String valuesCase) throws Exception {
        HelmChart.Rendered rendered = render(valuesCase);
        Path json = rendered.writeJson(ProjectDir.get()
                .resolve("target/helm/" + valuesCase.replace("ci/", "").replace(".yaml", "") + ".json"));

        JsonNode results = KubernetesSchemas.validate(json);

        assertThat(results).hasSameSizeAs(rendered.objects());
        assertThat(results)
                .allSatisfy(result -> assertThat(result.path("errors"))
                        .as(
                                "%s %s",
                                result.path("kind").asText(),
                                result.path("name").asText())
                        .isEmpty());
        assertThat(rendered.ofKind("Deployment")).hasSize(1);
        assertThat(rendered.ofKind("Service")).hasSize(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesCases")
    void noManifestCarriesASecretValue(String valuesCase) {
        HelmChart.Rendered rendered = render(valuesCase);

        assertThat(rendered.ofKind("Secret"))
                .as("the chart never creates a Secret")
                .isEmpty();
        for (JsonNode variable : rendered.container().path("env")) {
            String name = variable.path("name").asText();
            if (name.matches(".*(SECRET|PASSWORD|KEY|CONNECTIONSTRING|TOKEN).*")) {
                assertThat(variable.has("value")).as("%s is set by value", name).isFalse();
                assertThat(variable.path("valueFrom")
                                .path("secretKeyRef")
                                .path("name")
                                .asText())
                        .as("%s comes from an existing Secret", name)
                        .isNotBlank();
            }
        }
        assertThat(rendered.text())
                .doesNotContainIgnoringCase("SharedAccessKey=")
                .doesNotContainIgnoringCase("AccountKey=")
                .doesNotContain("-----BEGIN");
    }

    @Test
    void aSecretGivenAsAPlainValueIsRefused() {
        assertThatThrownBy(() -> HelmChart.render(List.of(PRODUCTION), Map.of("salesforce.clientSecret", "hunter2")))
                .hasMessageContaining("clientSecret");
        assertThatThrownBy(() -> HelmChart.render(List.of(PRODUCTION), Map.of("azure.cosmos.key", "c2VjcmV0")))
                .hasMessageContaining("key");
        assertThatThrownBy(() -> HelmChart.render(
                        List.of(PRODUCTION),
                        Map.of("extraEnv[0].name", "SFCACHE_SALESFORCE_CLIENTSECRET", "extraEnv[0].value", "hunter2")))
                .hasMessageContaining("extraEnv");
    }

    @Test
    void workloadIdentityReplacesEveryAzureKey() {
        HelmChart.Rendered rendered = render(PRODUCTION);

        assertThat(rendered.one("ServiceAccount")
                        .path("metadata")
                        .path("annotations")
                        .path("azure.workload.identity/client-id")
                        .asText())
                .isEqualTo("2b8f6c1e-1d6a-4c3b-9a58-7e1f0d2c3b4a");
        assertThat(rendered.one("Deployment")
                        .path("spec")
                        .path("template")
                        .path("metadata")
                        .path("labels")
                        .path("azure.workload.identity/use")
                        .asText())
                .isEqualTo("true");
        List<String> names = new ArrayList<>();
        rendered.container().path("env").forEach(v -> names.add(v.path("name").asText()));
        assertThat(names)
                .doesNotContain(
                        "SFCACHE_SERVICEBUS_CONNECTIONSTRING",
                        "SFCACHE_EVENTHUBS_CONNECTIONSTRING",
                        "SFCACHE_COSMOS_KEY");
        assertThat(rendered.env("SFCACHE_SERVICEBUS_NAMESPACE")).isEqualTo("contoso-sfcache.servicebus.windows.net");
        assertThat(rendered.container().path("image").asText()).contains("@sha256:");
    }

    @Test
    void moreConcurrentCallsComeWithTheThreadsTheyNeed() {
        assertThat(render(DEFAULTS).env("JAVA_TOOL_OPTIONS")).doesNotContain("defaultBoundedElasticSize");
        HelmChart.Rendered backlog =
                HelmChart.render(List.of(PRODUCTION), Map.of("sync.maxConcurrentCalls", "64", "sync.prefetch", "100"));
        assertThat(backlog.env("JAVA_TOOL_OPTIONS"))
                .startsWith("-XX:MaxRAMPercentage")
                .endsWith(" -Dreactor.schedulers.defaultBoundedElasticSize=128");
        assertThat(backlog.env("SFCACHE_SYNC_MAXCONCURRENTCALLS")).isEqualTo("64");
        assertThat(backlog.env("SFCACHE_SYNC_PREFETCH")).isEqualTo("100");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesCases")
    void thePodIsHardenedAndHasTimeToFinishInFlightMessages(String valuesCase) throws IOException {
        HelmChart.Rendered rendered = render(valuesCase);
        JsonNode pod = rendered.one("Deployment").path("spec").path("template").path("spec");
        JsonNode container = rendered.container();

        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(container
                        .path("securityContext")
                        .path("readOnlyRootFilesystem")
                        .asBoolean())
                .isTrue();
        assertThat(container
                        .path("securityContext")
                        .path("allowPrivilegeEscalation")
                        .asBoolean(true))
                .isFalse();
        assertThat(container
                        .path("securityContext")
                        .path("capabilities")
                        .path("drop")
                        .toString())
                .contains("ALL");
        assertThat(container.path("volumeMounts").toString()).contains("\"/tmp\"");
        assertThat(container.path("resources").path("requests").path("memory").asText())
                .isNotBlank();
        assertThat(container.path("resources").path("limits").path("memory").asText())
                .isNotBlank();

        Duration shutdownPhase = DurationStyle.detectAndParse(
                String.valueOf(applicationYaml("spring", "lifecycle", "timeout-per-shutdown-phase")));
        long preStop = container
                .path("lifecycle")
                .path("preStop")
                .path("sleep")
                .path("seconds")
                .asLong();
        assertThat(pod.path("terminationGracePeriodSeconds").asLong())
                .as("grace period covers the pre-stop pause plus sfcache's shutdown phase")
                .isGreaterThan(preStop + shutdownPhase.toSeconds());
    }

    @Test
    void probesUseSfcachesHealthGroups() throws IOException {
        JsonNode container = HelmChart.renderDefaults().container();

        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
                .isEqualTo("/actuator/health/liveness");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
                .isEqualTo("/actuator/health/readiness");
        assertThat(container.path("startupProbe").path("httpGet").path("path").asText())
                .isEqualTo("/actuator/health/liveness");
        @SuppressWarnings("unchecked")
        Map<String, Object> groups = (Map<String, Object>) applicationYaml("management", "endpoint", "health", "group");
        assertThat(groups).containsKeys("liveness", "readiness");
        // MonitoringContractTest calls these paths on the running app.
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesCases")
    void leaderOnlyRoutesRunOnOneReplicaThroughAKubernetesLeaseWhateverTheCdcMode(String valuesCase)
            throws IOException {
        HelmChart.Rendered rendered = render(valuesCase);

        // CDC OFF too: reconciliation and the schema-drift checks are leader-only (a file lock in each pod's own /tmp
        // would make every pod a leader).
        assertThat(rendered.env("CAMEL_CLUSTER_KUBERNETES_ENABLED")).isEqualTo("true");
        assertThat(rendered.env("CAMEL_CLUSTER_FILE_ENABLED")).isEqualTo("false");
        assertThat(rendered.env("CAMEL_CLUSTER_KUBERNETES_CONFIGMAPNAME")).isEqualTo(HelmChart.RELEASE + "-leader");
        // The competing pods are this release's: the Lease's labels (application.yaml) are the pods' selector labels.
        JsonNode podLabels = rendered.one("Deployment")
                .path("spec")
                .path("template")
                .path("metadata")
                .path("labels");
        assertThat(podLabels.path("app.kubernetes.io/name").asText())
                .isEqualTo(rendered.env("SFCACHE_CLUSTER_NAMELABEL"));
        assertThat(podLabels.path("app.kubernetes.io/instance").asText())
                .isEqualTo(rendered.env("SFCACHE_CLUSTER_INSTANCELABEL"));
        assertThat(applicationYaml("camel", "cluster", "kubernetes", "cluster-labels"))
                .isEqualTo(Map.of(
                        "[app.kubernetes.io/name]", "${sfcache.cluster.name-label:sfcache}",
                        "[app.kubernetes.io/instance]", "${sfcache.cluster.instance-label:sfcache}"));
        // Pod name and namespace from the downward API: the Lease's holder is the pod, the Lease in its namespace.
        String container = rendered.one("Deployment")
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0)
                .path("env")
                .toString();
        assertThat(container)
                .contains(
                        "{\"name\":\"CAMEL_CLUSTER_KUBERNETES_PODNAME\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}}")
                .contains(
                        "{\"name\":\"CAMEL_CLUSTER_KUBERNETES_KUBERNETESNAMESPACE\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.namespace\"}}}");

        // Camel reads and writes the Lease and lists the competing pods.
        JsonNode role = rendered.one("Role");
        assertThat(rules(role, "coordination.k8s.io", "leases")).contains("get", "create", "update");
        assertThat(rules(role, "", "pods")).contains("list");
        JsonNode binding = rendered.one("RoleBinding");
        assertThat(binding.path("roleRef").path("name").asText())
                .isEqualTo(role.path("metadata").path("name").asText());
        assertThat(binding.path("subjects").get(0).path("name").asText())
                .isEqualTo(rendered.one("Deployment")
                        .path("spec")
                        .path("template")
                        .path("spec")
                        .path("serviceAccountName")
                        .asText());
    }

    /** The verbs a Role grants on one resource of one API group. */
    private static List<String> rules(JsonNode role, String apiGroup, String resource) {
        List<String> verbs = new ArrayList<>();
        role.path("rules").forEach(rule -> {
            boolean group = false;
            boolean kind = false;
            for (JsonNode g : rule.path("apiGroups")) {
                group |= g.asText().equals(apiGroup);
            }
            for (JsonNode r : rule.path("resources")) {
                kind |= r.asText().equals(resource);
            }
            if (group && kind) {
                rule.path("verbs").forEach(v -> verbs.add(v.asText()));
            }
        });
        return verbs;
    }

    @Test
    void routesAndContractsComeFromConfigMapsMountedWhereSfcacheReadsThem() {
        HelmChart.Rendered rendered = render(CDC_ON);

        JsonNode routes = rendered.ofKind("ConfigMap").stream()
                .filter(c -> c.path("metadata").path("name").asText().endsWith("-routes"))
                .findFirst()
                .orElseThrow();
        assertThat(routes.path("data").path("heartbeat.camel.yaml").asText()).contains("id: heartbeat");
        assertThat(mountPath(rendered, "routes")).isEqualTo(rendered.env("SFCACHE_ROUTES_DIRECTORY"));
        assertThat("file:" + mountPath(rendered, "contracts") + "/")
                .isEqualTo(rendered.env("SFCACHE_SYNC_CONTRACTSLOCATION"));
        // A changed route rolls the pods (Camel's live reload does not see a ConfigMap's symlink swap).
        String before = rendered.one("Deployment")
                .path("spec")
                .path("template")
                .path("metadata")
                .path("annotations")
                .path("checksum/routes")
                .asText();
        String after = HelmChart.render(List.of(CDC_ON), Map.of("routes.files.extra\\.camel\\.yaml", "- route: {}"))
                .one("Deployment")
                .path("spec")
                .path("template")
                .path("metadata")
                .path("annotations")
                .path("checksum/routes")
                .asText();
        assertThat(after).isNotEqualTo(before);

        assertThat(HelmChart.renderDefaults().env("SFCACHE_ROUTES_DIRECTORY"))
                .as("built-in routes only")
                .isNull();
        assertThatThrownBy(() -> HelmChart.render(List.of(CDC_ON), Map.of("sync.objects[1]", "Contact")))
                .hasMessageContaining("contact.schema.json");
    }

    @Test
    void theAlertsAreTheRunBooksAndLinkToTheirSections() {
        JsonNode rule = HelmChart.renderDefaults().one("PrometheusRule");
        List<JsonNode> alerts = new ArrayList<>();
        rule.path("spec").path("groups").forEach(group -> group.path("rules").forEach(alerts::add));

        assertThat(alerts).extracting(a -> a.path("alert").asText()).containsExactlyInAnyOrderElementsOf(ALERTS);
        assertThat(alerts).allSatisfy(alert -> {
            String name = alert.path("alert").asText();
            assertThat(alert.path("annotations").path("runbook_url").asText())
                    .isEqualTo("https://github.com/sfcache/sfcache/blob/main/README.md#"
                            + name.toLowerCase(java.util.Locale.ROOT));
            assertThat(alert.path("annotations").path("summary").asText()).isNotBlank();
            assertThat(alert.path("labels").path("severity").asText()).isIn("warning", "critical");
            assertThat(HelmChart.metricNames(alert.path("expr").asText()))
                    .as(name)
                    .isNotEmpty();
            assertThat(alert.path("expr").asText())
                    .as("scoped to this release's scrape job")
                    .contains("job=\"sfcache\"");
        });
    }

    @Test
    void kedaScalesOnTheQueueAndReplacesTheHpa() {
        HelmChart.Rendered rendered = render(KEDA_ON);

        JsonNode scaled = rendered.one("ScaledObject");
        JsonNode trigger = scaled.path("spec").path("triggers").get(0);
        assertThat(trigger.path("type").asText()).isEqualTo("azure-servicebus");
        assertThat(trigger.path("metadata").path("queueName").asText()).isEqualTo("sfcache-changes");
        assertThat(trigger.path("metadata").path("namespace").asText()).isEqualTo("contoso-sfcache");
        assertThat(scaled.path("spec").path("scaleTargetRef").path("name").asText())
                .isEqualTo(
                        rendered.one("Deployment").path("metadata").path("name").asText());
        assertThat(rendered.one("TriggerAuthentication")
                        .path("spec")
                        .path("podIdentity")
                        .path("provider")
                        .asText())
                .isEqualTo("azure-workload");
        assertThat(rendered.ofKind("HorizontalPodAutoscaler")).isEmpty();
        assertThat(rendered.one("Deployment").path("spec").has("replicas"))
                .as("KEDA owns the replica count")
                .isFalse();

        assertThat(render(PRODUCTION).ofKind("HorizontalPodAutoscaler")).hasSize(1);
    }

    @Test
    void defaultsKeepOnePodUpAndFenceTheNetwork() {
        HelmChart.Rendered rendered = HelmChart.renderDefaults();

        assertThat(rendered.one("PodDisruptionBudget")
                        .path("spec")
                        .path("maxUnavailable")
                        .asInt())
                .isEqualTo(1);
        JsonNode policy = rendered.one("NetworkPolicy").path("spec");
        assertThat(policy.path("ingress")
                        .get(0)
                        .path("ports")
                        .get(0)
                        .path("port")
                        .asText())
                .isEqualTo("http");
        assertThat(policy.path("ingress").get(0).path("from").toString()).doesNotContain("monitoring");
        // The actuator's port (health details, Prometheus, Hawtio) for the monitoring namespace only.
        assertThat(policy.path("ingress")
                        .get(1)
                        .path("ports")
                        .get(0)
                        .path("port")
                        .asText())
                .isEqualTo("management");
        assertThat(policy.path("ingress").get(1).path("from").toString())
                .contains("monitoring")
                .doesNotContain("podSelector");
        assertThat(rendered.env("MANAGEMENT_SERVER_PORT")).isEqualTo("8081");
        List<JsonNode> services = rendered.ofKind("Service");
        assertThat(services)
                .filteredOn(s -> s.toString().contains("\"management\""))
                .singleElement()
                .satisfies(s ->
                        assertThat(s.path("metadata").path("name").asText()).isEqualTo("sfcache-management"));
        assertThat(services)
                .filteredOn(s -> !s.path("metadata").path("name").asText().endsWith("-management"))
                .singleElement()
                .satisfies(s -> assertThat(s.path("spec").path("ports").toString())
                        .as("the apps' Service")
                        .doesNotContain("management")
                        .doesNotContain("8081"));
        assertThat(rendered.one("ServiceMonitor")
                        .path("spec")
                        .path("endpoints")
                        .get(0)
                        .path("port")
                        .asText())
                .isEqualTo("management");
        assertThat(policy.path("egress").toString())
                .contains("443")
                .contains("5671")
                .contains("7443")
                .contains("\"port\":53");
    }

    private static String mountPath(HelmChart.Rendered rendered, String volume) {
        for (JsonNode mount : rendered.container().path("volumeMounts")) {
            if (volume.equals(mount.path("name").asText())) {
                return mount.path("mountPath").asText();
            }
        }
        throw new AssertionError("no volume mount " + volume);
    }

    /** A value from src/main/resources/application.yaml, by its path. */
    private static Object applicationYaml(String... path) throws IOException {
        try (InputStream in = HelmChartTest.class.getResourceAsStream("/application.yaml")) {
            Object node = new Yaml().load(in);
            for (String key : path) {
                node = ((Map<?, ?>) node).get(key);
            }
            return node;
        }
    }
}
