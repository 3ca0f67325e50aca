package io.sfcache.standin.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.standin.LoopbackTls;
import io.sfcache.standin.NodeTestRun;
import io.sfcache.standin.ProjectDir;
import io.sfcache.standin.cosmos.CosmosStandin;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Cosmos DB stand-in against {@code src/test/node/conformance/cosmos.test.mjs}: Azure's JavaScript SDK
 * ({@code @azure/cosmos}, a client sfcache does not use) checks it answers as documented Cosmos does. A private
 * stand-in, because the suite switches faults on, which would hit every other client of the shared one.
 */
class CosmosConformanceTest {

    private static final Duration DEADLINE = Duration.ofMinutes(2);

    @Test
    void standinPassesTheCosmosConformanceSuite() {
        try (CosmosStandin standin = new CosmosStandin().start()) {
            NodeTestRun run = NodeTestRun.run(
                    ProjectDir.get().resolve("src/test/node/conformance"),
                    Map.of(
                            "COSMOS_ENDPOINT", standin.endpoint(),
                            "COSMOS_KEY", standin.key(),
                            // TLS checked against the stand-in's own certificate, not switched off
                            "NODE_EXTRA_CA_CERTS",
                                    LoopbackTls.ensureInstalled()
                                            .certificatePem()
                                            .toString()),
                    DEADLINE,
                    "cosmos.test.mjs");

            assertThat(run.exitCode()).as(run.describe()).isZero();
        }
    }
}
