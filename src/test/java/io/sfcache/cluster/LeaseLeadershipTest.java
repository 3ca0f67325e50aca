package io.sfcache.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One leader at a time, and a new one soon: Camel's Kubernetes cluster service (the one the Helm chart turns on) run by
 * several Camel contexts, one per "pod", against fabric8's Kubernetes API server in CRUD mode, which keeps real Lease
 * and Pod objects with resource versions (an update on a stale version is refused, as by a real API server).
 *
 * <p>How Camel decides (camel-kubernetes 4.17, {@code KubernetesLeadershipController}): the Lease names the holder, and
 * the holder counts as long as its pod is in the Running and Ready pods carrying the cluster labels; the Lease's renew
 * time is not what frees it. A replica that finds the holder gone takes the Lease, then waits a whole lease duration
 * before its routes start, while a leader that finds itself no longer valid stops at its next check (every retry
 * period) and one that cannot reach the API server stops at its renew deadline: hence lease duration &gt; renew
 * deadline &gt; retry period x jitter, and no two leaders at once. Stopping a context does not release the Lease.
 *
 * <p>Durations are scaled down (lease 2 s) so the test is quick; production's are in {@code application.yaml} and
 * {@code docs/scaling.md}.
 */
class LeaseLeadershipTest {

    /** The Helm release's namespace and the chart's names: Lease {@code <fullname>-leader-<group>}, selector labels. */
    private static final String NAMESPACE = "sfcache";

    private static final String LEASE_PREFIX = "sfcache-leader";
    private static final Map<String, String> CLUSTER_LABELS =
            Map.of("app.kubernetes.io/name", "sfcache", "app.kubernetes.io/instance", "sfcache");
    /** A leader-only group of sfcache's routes (reconciliation.camel.yaml's {@code master:reconciliation:...}). */
    private static final String GROUP = "reconciliation";

    private static final long LEASE_MILLIS = 2_000;
    private static final long RENEW_DEADLINE_MILLIS = 1_500;
    private static final long RETRY_PERIOD_MILLIS = 400;
    private static final double JITTER = 1.2;
    /** Requests to the API server, the route's start, a busy 2-core machine. */
    private static final long SLACK_MILLIS = 1_500;
    /** After the leader's pod leaves the Running/Ready set: a follower's next check, then a lease duration. */
    private static final Duration HANDOVER_BOUND =
            Duration.ofMillis(LEASE_MILLIS + (long) (RETRY_PERIOD_MILLIS * JITTER) + SLACK_MILLIS);

    private KubernetesMockServer server;
    private KubernetesClient api;
    private final List<Replica> replicas = new ArrayList<>();

    @BeforeEach
    void startApiServer() {
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        api = server.createClient();
    }

    @AfterEach
    void stopAll() {
        replicas.forEach(Replica::kill);
        api.close();
        server.destroy();
    }

    @Test
    void oneLeaderHoldsTheLeaseAndAnotherTakesOverWithinTheBoundWhenItDies() {
        for (int i = 0; i < 3; i++) {
            start("sfcache-" + i);
        }
        Replica first = awaitSingleLeader();

        Lease lease = lease();
        assertThat(lease)
                .as("Lease %s-%s in %s", LEASE_PREFIX, GROUP, NAMESPACE)
                .isNotNull();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(first.pod);
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo((int) (LEASE_MILLIS / 1000));
        assertThat(lease.getMetadata().getLabels()).containsEntry("provider", "camel");
        await("the leader's route works").atMost(Duration.ofSeconds(5)).until(() -> first.ticks.get() > 0);

        List<Long> handovers = new ArrayList<>();
        List<Long> workResumed = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            Replica leader = awaitSingleLeader();
            long killedAt = leader.kill();
            assertThat(lease().getSpec().getHolderIdentity())
                    .as("a dead leader releases nothing: its name stays in the Lease until another takes it")
                    .isEqualTo(leader.pod);
            // What the API server shows once the kubelet sees the container gone.
            markPodNotReady(leader.pod);

            Replica next = awaitNewLeader(leader);
            long handover = next.leaderSince() - killedAt;
            handovers.add(handover);
            System.out.printf(
                    "Lease handover %d: %s died, %s leads after %d ms%n", round, leader.pod, next.pod, handover);
            // The bound holds on a machine whose threads run when due; under a full 2-core build a starved JVM has
            // been seen to take 11 s. Asserted with room for that (the figure itself is reported, not asserted).
            assertThat(Duration.ofMillis(handover)).isLessThanOrEqualTo(HANDOVER_BOUND.multipliedBy(5));
            assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(next.pod);
            int ticks = next.ticks.get();
            await("the new leader's route works").atMost(Duration.ofSeconds(5)).until(() -> next.ticks.get() > ticks);
            // The master endpoint starts its route on a task of its own after the leadership event.
            workResumed.add(next.firstTickAfter(killedAt) - killedAt);
            // A new pod replaces the dead one, as the Deployment would.
            start("sfcache-" + (3 + round));
        }
        System.out.printf("Lease handover after a leader dies: median %d ms of %s%n", median(handovers), handovers);
        System.out.printf(
                "Leader-only route running again after a leader dies: median %d ms of %s%n",
                median(workResumed), workResumed);

        assertNeverTwoLeadersAtOnce();
        assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(4);
    }

    @Test
    void aLeaderWhosePodTurnsNotReadyStepsDownBeforeTheNextOneStarts() {
        for (int i = 0; i < 2; i++) {
            start("sfcache-" + i);
        }
        Replica leader = awaitSingleLeader();

        // Still running, but out of the Ready pods (e.g. its readiness probe fails): both replicas go on checking.
        long unreadyAt = System.currentTimeMillis();
        markPodNotReady(leader.pod);
        Replica next = awaitNewLeader(leader);

        assertThat(leader.isLeader()).isFalse();
        assertThat(leader.leaderUntil()).isLessThan(next.leaderSince());
        System.out.printf(
                "Lease handover from a live leader whose pod is not ready: old stopped after %d ms, new led after %d ms%n",
                leader.leaderUntil() - unreadyAt, next.leaderSince() - unreadyAt);
        assertThat(Duration.ofMillis(next.leaderSince() - unreadyAt))
                .isLessThanOrEqualTo(HANDOVER_BOUND.multipliedBy(5));

        // Ready again: it stays a follower, the leader keeps the Lease.
        markPodReady(leader.pod);
        long ticks = next.ticks.get();
        await().atMost(Duration.ofSeconds(5)).until(() -> next.ticks.get() > ticks + 5);
        assertThat(leader.isLeader()).isFalse();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(next.pod);
        assertNeverTwoLeadersAtOnce();
    }

    private Replica start(String pod) {
        api.pods()
                .inNamespace(NAMESPACE)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(pod)
                        .withLabels(CLUSTER_LABELS)
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("sfcache")
                        .withImage("sfcache")
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
        markPodReady(pod);
        Replica replica = new Replica(pod, server.url("/"));
        replicas.add(replica);
        return replica;
    }

    private void markPodReady(String pod) {
        setReady(pod, true);
    }

    private void markPodNotReady(String pod) {
        setReady(pod, false);
    }

    /** What the kubelet reports: the pod runs, and its Ready condition follows the container and its probe. */
    private void setReady(String pod, boolean ready) {
        api.pods()
                .inNamespace(NAMESPACE)
                .withName(pod)
                .editStatus(p -> new PodBuilder(p)
                        .editOrNewStatus()
                        .withPhase("Running")
                        .withConditions(new PodConditionBuilder()
                                .withType("Ready")
                                .withStatus(ready ? "True" : "False")
                                .build())
                        .endStatus()
                        .build());
        Pod stored = api.pods().inNamespace(NAMESPACE).withName(pod).get();
        assertThat(stored.getStatus().getConditions().get(0).getStatus()).isEqualTo(ready ? "True" : "False");
    }

    private Lease lease() {
        return api.leases()
                .inNamespace(NAMESPACE)
                .withName(LEASE_PREFIX + "-" + GROUP)
                .get();
    }

    private Replica awaitSingleLeader() {
        await("one leader")
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> replicas.stream().filter(Replica::isLeader).count() == 1);
        return replicas.stream().filter(Replica::isLeader).findFirst().orElseThrow();
    }

    private Replica awaitNewLeader(Replica old) {
        await("a new leader after " + old.pod)
                .atMost(HANDOVER_BOUND.multipliedBy(5).plusSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> replicas.stream().anyMatch(r -> r != old && r.isLeader()));
        return replicas.stream()
                .filter(r -> r != old && r.isLeader())
                .findFirst()
                .orElseThrow();
    }

    /** Every replica's leadership intervals, as its own view reported them: none overlaps another's. */
    private void assertNeverTwoLeadersAtOnce() {
        List<long[]> all = new ArrayList<>();
        for (Replica replica : replicas) {
            for (long[] interval : replica.intervals()) {
                for (long[] other : all) {
                    assertThat(interval[0] >= other[1] || other[0] >= interval[1])
                            .as(
                                    "%s led %d..%d while another led %d..%d",
                                    replica.pod, interval[0], interval[1], other[0], other[1])
                            .isTrue();
                }
            }
            all.addAll(replica.intervals());
        }
        assertThat(all).isNotEmpty();
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** One sfcache pod: a Camel context with the Kubernetes cluster service and a {@code master:} route. */
    private static final class Replica {

        private final String pod;
        private final CamelContext camel = new DefaultCamelContext();
        private final AtomicInteger ticks = new AtomicInteger();
        /** When the master: route ran, epoch millis. */
        private final List<Long> tickTimes = new CopyOnWriteArrayList<>();
        /** Leadership as the view reports it to this replica: [since, until] in epoch millis, until open = MAX. */
        private final List<long[]> leadership = new CopyOnWriteArrayList<>();

        private volatile boolean leader;
        private volatile boolean dead;

        Replica(String pod, String masterUrl) {
            this.pod = pod;
            // Camel 4.17's no-argument constructor (the Spring Boot starter's) drops setMasterUrl in init(): the API
            // server's address goes in through a KubernetesConfiguration here (in a pod, the client finds it itself).
            KubernetesConfiguration client = new KubernetesConfiguration();
            client.setMasterUrl(masterUrl);
            KubernetesClusterService cluster = new KubernetesClusterService(client);
            cluster.setKubernetesNamespace(NAMESPACE);
            cluster.setPodName(pod);
            cluster.setKubernetesResourceName(LEASE_PREFIX);
            cluster.setClusterLabels(CLUSTER_LABELS);
            cluster.setLeaseDurationMillis(LEASE_MILLIS);
            cluster.setRenewDeadlineMillis(RENEW_DEADLINE_MILLIS);
            cluster.setRetryPeriodMillis(RETRY_PERIOD_MILLIS);
            cluster.setJitterFactor(JITTER);
            try {
                camel.addService(cluster);
                // Camel 4.17 applies the settings above in init(): the view must be made after it.
                cluster.init();
                cluster.getView(GROUP)
                        .addEventListener((CamelClusterEventListener.Leadership) (view, member) -> onLeader(member));
                camel.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("master:" + GROUP + ":timer:" + GROUP + "?period=100")
                                .routeId(GROUP)
                                .process(exchange -> {
                                    tickTimes.add(System.currentTimeMillis());
                                    ticks.incrementAndGet();
                                });
                    }
                });
                camel.start();
            } catch (Exception e) {
                throw new IllegalStateException("replica " + pod, e);
            }
        }

        /** The view's leader, null when there is none. */
        private synchronized void onLeader(CamelClusterMember member) {
            boolean now = member != null && member.isLocal();
            long at = System.currentTimeMillis();
            if (dead || now == leader) {
                return;
            }
            if (now) {
                leadership.add(new long[] {at, Long.MAX_VALUE});
            } else {
                leadership.get(leadership.size() - 1)[1] = at;
            }
            leader = now;
        }

        boolean isLeader() {
            return leader;
        }

        /** The first time the route ran at or after the given time. */
        long firstTickAfter(long time) {
            return tickTimes.stream().filter(t -> t >= time).findFirst().orElseThrow();
        }

        long leaderSince() {
            return leadership.get(leadership.size() - 1)[0];
        }

        long leaderUntil() {
            return leadership.get(leadership.size() - 1)[1];
        }

        List<long[]> intervals() {
            return leadership;
        }

        /**
         * The pod dies: its context stops at once and it never checks the Lease again. Camel's stop does not release
         * the Lease either, so to the others this is a pod that vanished without a word. Returns when it stopped.
         */
        long kill() {
            if (dead) {
                return System.currentTimeMillis();
            }
            camel.stop();
            synchronized (this) {
                long at = System.currentTimeMillis();
                if (leader) {
                    leadership.get(leadership.size() - 1)[1] = at;
                }
                leader = false;
                dead = true;
                return at;
            }
        }
    }
}
