package io.sfcache.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import graphql.schema.diff.DiffEvent;
import graphql.schema.diff.SchemaDiff;
import graphql.schema.diff.SchemaDiffSet;
import graphql.schema.diff.reporting.CapturingReporter;
import graphql.schema.idl.SchemaPrinter;
import io.sfcache.SfcacheIntegrationTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.graphql.execution.GraphQlSource;

/**
 * The schema sfcache serves is the one checked in at {@code docs/schema.graphqls}, so every change of the API
 * (including one that comes from editing a data contract) shows up in review. A difference fails with the breaking
 * changes named, found by graphql-java's own schema diff; {@code -Dsfcache.schema.write=true} rewrites the file.
 */
@SfcacheIntegrationTest
class SchemaDocumentTest {

    static final Path DOCUMENT = Path.of("docs/schema.graphqls");

    @Autowired
    GraphQlSource graphQl;

    @Test
    void documentedSchemaIsTheServedOne() throws IOException {
        String served = served();
        if (Boolean.getBoolean("sfcache.schema.write")) {
            Files.writeString(DOCUMENT, served);
        }
        String documented = Files.exists(DOCUMENT) ? Files.readString(DOCUMENT) : "";
        if (!documented.equals(served)) {
            Path generated = Path.of("target/schema.graphqls");
            Files.writeString(generated, served);
            List<DiffEvent> breaking = documented.isEmpty() ? List.of() : breakingChanges(documented, served);
            assertThat(documented)
                    .as(
                            "%s differs from the schema sfcache serves (written to %s: diff them).%s\n"
                                    + "If the change is meant, update the file with ./mvnw test -Dtest=SchemaDocumentTest "
                                    + "-Dsfcache.schema.write=true and commit it",
                            DOCUMENT,
                            generated,
                            breaking.isEmpty()
                                    ? " No breaking change."
                                    : " Breaking changes for existing clients:\n" + describe(breaking))
                    .isEqualTo(served);
        }
    }

    /** The queries apps wrote against the hand-written schema of sfcache 0.x still validate against today's. */
    @Test
    void theHandWrittenSchemaOfEarlierReleasesIsStillServed() throws IOException {
        try (InputStream old = getClass().getResourceAsStream("/schema-history/hand-written-v1.graphqls")) {
            List<DiffEvent> breaking =
                    breakingChanges(new String(old.readAllBytes(), StandardCharsets.UTF_8), served());
            assertThat(breaking).as(describe(breaking)).isEmpty();
        }
    }

    /** The guard can fail: a field taken away and a type changed are both named. */
    @Test
    void removingOrRetypingAFieldIsNamedAsBreaking() {
        String served = served();
        String changed = served.replaceFirst("  \"Industry [^\n]*\n  industry: String\n", "")
                .replace("  numberOfEmployees: Int\n", "  numberOfEmployees: String\n");
        assertThat(changed).isNotEqualTo(served);
        assertThat(describe(breakingChanges(served, changed)))
                .contains("Account.industry")
                .contains("Account.numberOfEmployees");
    }

    private String served() {
        return new SchemaPrinter(SchemaPrinter.Options.defaultOptions()
                        .includeDirectives(false)
                        .includeScalarTypes(true))
                .print(graphQl.schema());
    }

    static List<DiffEvent> breakingChanges(String oldSdl, String newSdl) {
        CapturingReporter reporter = new CapturingReporter();
        new SchemaDiff().diffSchema(SchemaDiffSet.diffSetFromSdl(oldSdl, newSdl), reporter);
        return reporter.getBreakages();
    }

    private static String describe(List<DiffEvent> events) {
        return events.stream()
                .map(event ->
                        "  - " + event.getTypeName() + (event.getFieldName() == null ? "" : "." + event.getFieldName())
                                + ": " + event.getReasonMsg())
                .collect(Collectors.joining("\n"));
    }
}
