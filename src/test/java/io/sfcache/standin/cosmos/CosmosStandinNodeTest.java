package io.sfcache.standin.cosmos;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.standin.NodeTestRun;
import io.sfcache.standin.ProjectDir;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The stand-in's own Node tests in {@code src/test/node/cosmos-standin}: {@code parser-cache.test.js} (the
 * memoised SQL parser equals PEG.js's {@code cache} option and reads queries as the shipped one, sfcache's nested
 * filter SQL parses in milliseconds where it took minutes), {@code query-speed.test.js} (compiled queries answer
 * as the package's own, in time linear in the items) and {@code indexed-queries.test.js} (ORDER BY queries answered
 * from the sorted indexes return the full scan's pages and continuation tokens, through writes, and a page reads
 * about as many documents as it returns).
 */
class CosmosStandinNodeTest {

    @Test
    void standinNodeTestsPass() {
        NodeTestRun run = NodeTestRun.run(
                ProjectDir.get().resolve("src/test/node/cosmos-standin"),
                Map.of(),
                Duration.ofSeconds(60),
                "parser-cache.test.js",
                "query-speed.test.js",
                "indexed-queries.test.js");

        assertThat(run.exitCode()).as(run.describe()).isZero();
    }
}
