package io.sfcache.apex;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.standin.ProjectDir;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Apex publisher checked by apex-ls (Certinia's apex-dev-tools, the semantic checker behind Apex Assist), which,
 * unlike PMD's parser, knows Apex's reserved words, the platform's types and members, and the project's own objects
 * and fields: what the Apex compiler would refuse on deploy. The project has no error (warnings are printed), and a
 * broken copy fails, naming file and line. apex-ls runs in a JVM of its own from target/apex-ls (pom.xml, execution
 * {@code apex-ls}).
 */
class ApexSemanticCheckTest {

    private static final Path APEX_LS = ProjectDir.get().resolve("target/apex-ls");
    private static final String VALUES = "force-app/main/default/classes/SfcacheValues.cls";
    private static final String OUTBOX = "force-app/main/default/classes/SfcacheOutbox.cls";

    @Test
    void thePublisherHasNoErrorApexLsFinds(@TempDir Path work) throws Exception {
        ApexProject.Run run = apexLs(work, ApexProject.ROOT);
        System.out.println("apex-ls on apex/:\n" + run.output());
        assertThat(run.exitCode())
                .as("apex-ls exit code; it printed:%n%s", run.output())
                .isZero();
    }

    @Test
    void aReservedWordAndAnUnknownFieldFailTheCheckNamingFileAndLine(@TempDir Path work) throws Exception {
        Path copy = ApexProject.copy(work);
        // PMD's parser accepts both; the Apex compiler does not.
        ApexProject.replaceFirst(
                copy.resolve(VALUES), "Decimal amount = toDecimal\\(value\\);", "Decimal number = toDecimal(value);");
        ApexProject.replaceFirst(copy.resolve(OUTBOX), "row\\.Claim__c = token;", "row.Claimed_By__c = token;");

        ApexProject.Run run = apexLs(work, copy);
        System.out.println("apex-ls on a broken copy:\n" + run.output());

        assertThat(run.exitCode())
                .as("apex-ls exit code; it printed:%n%s", run.output())
                .isNotZero();
        assertThat(run.output())
                .contains(copy.resolve(VALUES).toString(), "'number' is a reserved identifier")
                .contains(copy.resolve(OUTBOX).toString(), "Claimed_By__c");
    }

    private static ApexProject.Run apexLs(Path work, Path project) throws IOException, InterruptedException {
        if (!Files.isDirectory(APEX_LS)) {
            throw new IllegalStateException(APEX_LS + " is missing: the build copies apex-ls there "
                    + "(./mvnw generate-test-resources, execution apex-ls)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // -n: no cache; -d warnings: print warnings too (they do not fail the check, errors do).
        return ApexProject.run(
                work,
                project,
                List.of(
                        java,
                        "-cp",
                        APEX_LS + File.separator + "*",
                        "io.github.apexdevtools.apexls.CheckForIssues",
                        "-n",
                        "-d",
                        "warnings"));
    }
}
