package io.sfcache.standin.cosmos;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.standin.NodeTestRun;
import io.sfcache.standin.ProjectDir;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The stand-in's memoised SQL parser ({@code src/test/node/cosmos-standin/memoised-parser.js}), checked by its own
 * {@code parser-cache.test.js}: the rewrite equals PEG.js's {@code cache} option, the trees equal the shipped
 * parser's, and sfcache's nested filter SQL parses in milliseconds (it took minutes without the cache).
 */
class CosmosStandinParserTest {

    @Test
    void memoisedParserPassesItsNodeTests() {
        NodeTestRun run = NodeTestRun.run(ProjectDir.get().resolve("src/test/node/cosmos-standin"), Map.of(),
                Duration.ofSeconds(60), "parser-cache.test.js");

        assertThat(run.exitCode()).as(run.describe()).isZero();
    }
}
