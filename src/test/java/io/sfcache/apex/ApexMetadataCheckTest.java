package io.sfcache.apex;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SFDX project's metadata XML checked against the Metadata API's own types
 * ({@code apex/scripts/check-metadata.mjs}, types from {@code @salesforce/types}): the project passes, and a value the
 * Metadata API would refuse on deploy fails the check, which names the file and the element. The build installs the
 * script's packages (apex-npm-ci).
 */
class ApexMetadataCheckTest {

    private static final String OPERATOR =
            "force-app/main/default/permissionsets/Sfcache_Operator.permissionset-meta.xml";

    @Test
    void theProjectsMetadataPassesTheMetadataApiTypes(@TempDir Path work) throws Exception {
        ApexProject.Run run = check(work);
        System.out.println(run.output());
        assertThat(run.exitCode())
                .as("exit code of check-metadata.mjs, which printed:%n%s", run.output())
                .isZero();
        assertThat(run.output()).contains("check-metadata: ", " 0 problem(s)", "@salesforce/types");
    }

    @Test
    void aRefusedBooleanAndARefusedEnumFailTheCheckNamingFileAndElement(@TempDir Path work) throws Exception {
        Path copy = ApexProject.copy(work);
        ApexProject.replaceFirst(
                copy.resolve(OPERATOR), "<editable>(true|false)</editable>", "<editable>set()</editable>");
        Path field = firstFieldWithAType(copy.resolve("force-app"));
        ApexProject.replaceFirst(field, "<type>[^<]*</type>", "<type>Txt</type>");
        String fieldFile = copy.relativize(field).toString().replace(File.separatorChar, '/');

        // The working directory stays apex/, where node_modules is; the copy is the argument.
        ApexProject.Run run = check(work, copy.toString());
        System.out.println(run.output());
        assertThat(run.exitCode())
                .as("exit code of check-metadata.mjs, which printed:%n%s", run.output())
                .isEqualTo(1);
        List<String> problems = run.output()
                .lines()
                .filter(line -> !line.startsWith("check-metadata: "))
                .toList();
        assertThat(problems)
                .as("the problems reported")
                .hasSize(2)
                .anySatisfy(line -> assertThat(line)
                        .startsWith(OPERATOR + ": PermissionSet.fieldPermissions[")
                        .endsWith("].editable: \"set()\" is not a boolean (true or false)"))
                .anySatisfy(line -> assertThat(line)
                        .startsWith(fieldFile + ": CustomField.type: \"Txt\" is not a FieldType (one of: ")
                        .contains("Picklist", "Text"));
        assertThat(run.output()).contains(" 2 problem(s)");
    }

    /** Runs the check in apex/ with the given arguments. */
    private static ApexProject.Run check(Path work, String... arguments) throws IOException, InterruptedException {
        if (!Files.isDirectory(ApexProject.ROOT.resolve("node_modules/@salesforce/types"))) {
            // The build installs it (exec-maven-plugin, apex-npm-ci): a missing one is a broken build.
            throw new IllegalStateException("@salesforce/types is not installed in " + ApexProject.ROOT
                    + ": run ./mvnw generate-test-resources (it runs npm ci there), or npm ci in that directory");
        }
        return ApexProject.run(
                work,
                ApexProject.ROOT,
                Stream.concat(Stream.of("node", "scripts/check-metadata.mjs"), Stream.of(arguments))
                        .toList());
    }

    private static Path firstFieldWithAType(Path forceApp) throws IOException {
        try (Stream<Path> paths = Files.walk(forceApp)) {
            return paths.filter(p -> p.getFileName().toString().endsWith(".field-meta.xml"))
                    .sorted()
                    .filter(p -> ApexProject.read(p).contains("<type>"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no CustomField with a <type> in " + forceApp));
        }
    }
}
