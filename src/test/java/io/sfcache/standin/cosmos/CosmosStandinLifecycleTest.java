package io.sfcache.standin.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher: clear failures, and no Node process left behind. */
class CosmosStandinLifecycleTest {

    @Test
    void missingNodeModulesFailsWithTheInstallCommand(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("server.js"), "");

        assertThatThrownBy(() -> new CosmosStandin(dir).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("run ./mvnw generate-test-resources");
    }

    @Test
    void scriptThatDiesFailsTheStartWithNodesStderr(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("node_modules/@vercel/cosmosdb-server"));
        Files.writeString(dir.resolve("server.js"), "console.error('certificate trouble'); process.exit(3);");

        assertThatThrownBy(() -> new CosmosStandin(dir).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code 3")
                .hasMessageContaining("certificate trouble");
    }

    @Test
    void missingNodeBinaryIsNamed(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("node_modules/@vercel/cosmosdb-server"));
        Files.writeString(dir.resolve("server.js"), "");
        String previous = System.getProperty(CosmosStandin.NODE_PROPERTY);
        System.setProperty(CosmosStandin.NODE_PROPERTY, dir.resolve("no-such-node").toString());
        try {
            assertThatThrownBy(() -> new CosmosStandin(dir).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("install Node.js");
        } finally {
            if (previous == null) {
                System.clearProperty(CosmosStandin.NODE_PROPERTY);
            } else {
                System.setProperty(CosmosStandin.NODE_PROPERTY, previous);
            }
        }
    }

    @Test
    void closeStopsTheNodeProcess() {
        CosmosStandin standin = new CosmosStandin().start();
        ProcessHandle node = standin.process().toHandle();
        assertThat(node.isAlive()).isTrue();
        assertThat(standin.endpoint()).matches("https://127\\.0\\.0\\.1:\\d+/");

        standin.close();

        assertThat(node.isAlive()).isFalse();
        assertThat(standin.isRunning()).isFalse();
        standin.close(); // idempotent
    }

    @Test
    void nodeExitsWhenItsParentClosesStdinAsADyingJvmDoes() {
        try (CosmosStandin standin = new CosmosStandin().start()) {
            Process node = standin.process();

            try {
                node.getOutputStream().close();
            } catch (IOException e) {
                throw new AssertionError(e);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> !node.isAlive());
            assertThat(node.exitValue()).isZero();
        }
    }
}
