package io.sfcache.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.sfcache.deploy.HelmChart;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.springboot.cluster.FileLockClusterServiceAutoConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.springboot.cluster.KubernetesClusterServiceAutoConfiguration;
import org.apache.camel.component.master.springboot.MasterComponentAutoConfiguration;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The production path to the Lease: sfcache's {@code application.yaml} and the environment the Helm chart gives the
 * container (its {@code CAMEL_CLUSTER_*} and {@code SFCACHE_CLUSTER_*} variables, the downward API's pod name and
 * namespace filled in as the kubelet would), read by camel-kubernetes-cluster-service-starter's auto-configuration, not
 * by hand. Against fabric8's Kubernetes mock server (CRUD), holding this pod as the chart labels it.
 *
 * <p>As in a pod, the client finds the API server itself (fabric8's auto-configuration: in a pod the service account's
 * {@code KUBERNETES_SERVICE_HOST}; here the {@code kubernetes.master} system property). The starter's
 * {@code camel.cluster.kubernetes.master-url} would not do: Camel 4.17's cluster service drops it when built by its
 * no-argument constructor, as the starter builds it.
 */
class LeaseWiringTest {

    private static final String POD = "sfcache-6f7d8b9c4-x2k7q";
    private static final String GROUP = "lease-wiring";
    private static final Map<String, String> FABRIC8 = Map.of(
            Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, "false",
            Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY, "false",
            Config.KUBERNETES_NAMESPACE_SYSTEM_PROPERTY, HelmChart.NAMESPACE);

    private static final AtomicInteger TICKS = new AtomicInteger();

    private KubernetesMockServer server;
    private KubernetesClient api;
    private final Map<String, String> savedProperties = new HashMap<>();

    @BeforeEach
    void startApiServer() {
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        api = server.createClient();
        Map<String, String> properties = new HashMap<>(FABRIC8);
        properties.put(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY, server.url("/"));
        properties.forEach((name, value) -> {
            savedProperties.put(name, System.getProperty(name));
            System.setProperty(name, value);
        });
    }

    @AfterEach
    void stopApiServer() {
        savedProperties.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
        api.close();
        server.destroy();
    }

    @Test
    void theChartsSettingsStartCamelsKubernetesClusterServiceWhichTakesTheLease() {
        HelmChart.Rendered chart = HelmChart.renderDefaults();
        JsonNode template = chart.one("Deployment").path("spec").path("template");
        Map<String, String> labels = new LinkedHashMap<>();
        template.path("metadata")
                .path("labels")
                .fields()
                .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        api.pods()
                .inNamespace(HelmChart.NAMESPACE)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(POD)
                        .withLabels(labels)
                        .endMetadata()
                        .build())
                .create();
        api.pods()
                .inNamespace(HelmChart.NAMESPACE)
                .withName(POD)
                .editStatus(p -> new PodBuilder(p)
                        .editOrNewStatus()
                        .withPhase("Running")
                        .withConditions(new PodConditionBuilder()
                                .withType("Ready")
                                .withStatus("True")
                                .build())
                        .endStatus()
                        .build());

        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(LeaderOnlyRoute.class)
                .web(WebApplicationType.NONE)
                .initializers(context -> context.getEnvironment()
                        .getPropertySources()
                        .addFirst(new SystemEnvironmentPropertySource(
                                "chart-systemEnvironment", chartEnvironment(chart))))
                .run(
                        "--camel.main.routes-include-pattern=classpath:no-such-routes/*.yaml",
                        "--camel.springboot.main-run-controller=false",
                        "--camel.main.jmx-enabled=false",
                        "--spring.jmx.enabled=false")) {
            CamelContext camel = app.getBean(CamelContext.class);

            assertThat(camel.hasServices(CamelClusterService.class))
                    .as("the Lease only: the chart turns the file lock off")
                    .singleElement()
                    .isInstanceOf(KubernetesClusterService.class);
            KubernetesClusterService cluster = (KubernetesClusterService)
                    camel.hasServices(CamelClusterService.class).iterator().next();
            assertThat(cluster.getPodName()).isEqualTo(POD);
            assertThat(cluster.getKubernetesNamespace()).isEqualTo(HelmChart.NAMESPACE);
            assertThat(cluster.getKubernetesResourceName()).isEqualTo(HelmChart.RELEASE + "-leader");
            assertThat(cluster.getClusterLabels())
                    .containsEntry("app.kubernetes.io/name", labels.get("app.kubernetes.io/name"))
                    .containsEntry("app.kubernetes.io/instance", labels.get("app.kubernetes.io/instance"))
                    .hasSize(2);
            assertThat(cluster.getLeaseDurationMillis()).isEqualTo(15_000);
            assertThat(cluster.getRenewDeadlineMillis()).isEqualTo(10_000);
            assertThat(cluster.getRetryPeriodMillis()).isEqualTo(2_000);
            assertThat(cluster.getJitterFactor()).isEqualTo(1.2);

            // The only pod, no holder yet: it takes the Lease at its first check, with immediate effect.
            await("the Lease held by " + POD).atMost(Duration.ofSeconds(20)).until(() -> {
                Lease lease = api.leases()
                        .inNamespace(HelmChart.NAMESPACE)
                        .withName(HelmChart.RELEASE + "-leader-" + GROUP)
                        .get();
                return lease != null && POD.equals(lease.getSpec().getHolderIdentity());
            });
            await("the leader-only route runs").atMost(Duration.ofSeconds(20)).until(() -> TICKS.get() > 0);
        }
    }

    /** The container's environment as the chart renders it, for the cluster service's settings. */
    private static Map<String, Object> chartEnvironment(HelmChart.Rendered chart) {
        Map<String, Object> env = new LinkedHashMap<>();
        for (JsonNode variable : chart.container().path("env")) {
            String name = variable.path("name").asText();
            if (!name.startsWith("CAMEL_CLUSTER_") && !name.startsWith("SFCACHE_CLUSTER_")) {
                continue;
            }
            String field = variable.path("valueFrom")
                    .path("fieldRef")
                    .path("fieldPath")
                    .asText();
            env.put(
                    name,
                    switch (field) {
                        case "metadata.name" -> POD;
                        case "metadata.namespace" -> HelmChart.NAMESPACE;
                        default -> variable.path("value").asText();
                    });
        }
        assertThat(env)
                .containsKeys(
                        "CAMEL_CLUSTER_KUBERNETES_ENABLED",
                        "CAMEL_CLUSTER_FILE_ENABLED",
                        "CAMEL_CLUSTER_KUBERNETES_PODNAME",
                        "CAMEL_CLUSTER_KUBERNETES_KUBERNETESNAMESPACE");
        return env;
    }

    /** Only Camel, its cluster services (file and Kubernetes, as in sfcache's jar) and the master component. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({
        CamelAutoConfiguration.class,
        FileLockClusterServiceAutoConfiguration.class,
        KubernetesClusterServiceAutoConfiguration.class,
        MasterComponentAutoConfiguration.class
    })
    static class LeaderOnlyRoute {

        @Bean
        RouteBuilder leaderOnly() {
            return new RouteBuilder() {
                @Override
                public void configure() {
                    from("master:" + GROUP + ":timer:" + GROUP + "?period=100")
                            .routeId(GROUP)
                            .process(exchange -> TICKS.incrementAndGet());
                }
            };
        }
    }
}
