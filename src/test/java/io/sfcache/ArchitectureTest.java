package io.sfcache;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import io.sfcache.standin.ProjectDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package tree shows the design: each feature package of {@code io.sfcache} and the sfcache packages it may
 * depend on (the README's architecture table says the same). Dependencies point one way, so there are no cycles;
 * the base package ({@link SfcacheApplication}, {@link ClockConfiguration}, {@link SettingsCheck}) depends on no
 * feature and every feature may depend on it. Checked on the main classes only (test code is free to reach in).
 */
@AnalyzeClasses(packages = "io.sfcache", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** Feature package: the other feature packages it may depend on. A new package fails the test until it is here. */
    static final Map<String, List<String>> MAY_DEPEND_ON = Map.ofEntries(
            Map.entry("contracts", List.of()),
            Map.entry("azure", List.of()),
            Map.entry("security", List.of()),
            Map.entry("routes", List.of()),
            Map.entry("sync", List.of("contracts", "azure")),
            Map.entry("salesforce", List.of("sync", "contracts")),
            Map.entry("tracing", List.of("sync", "contracts")),
            Map.entry("monitoring", List.of("sync", "contracts", "salesforce")),
            Map.entry("graphql", List.of("sync", "contracts", "azure")),
            Map.entry("hawtio", List.of("security")),
            Map.entry("impact", List.of("monitoring", "contracts")));

    private static final String BASE = "base";

    @ArchTest
    static final ArchRule featurePackagesAreFreeOfCycles =
            slices().matching("io.sfcache.(*)..").namingSlices("$1").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule dependenciesPointOneWay = layers();

    @ArchTest
    static final ArchRule mainCodeNeverDependsOnTestCode = noClasses()
            .should()
            .dependOnClassesThat(testCode())
            .because("the stand-ins, fixtures, local run and benchmarks are test scope and never in the jar");

    private static LayeredArchitecture layers() {
        LayeredArchitecture layers = layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer(BASE)
                .definedBy("io.sfcache");
        for (String feature : new TreeSet<>(MAY_DEPEND_ON.keySet())) {
            layers = layers.layer(feature).definedBy("io.sfcache." + feature + "..");
        }
        layers = layers.whereLayer(BASE).mayNotAccessAnyLayer();
        for (String feature : new TreeSet<>(MAY_DEPEND_ON.keySet())) {
            List<String> allowed = new ArrayList<>(MAY_DEPEND_ON.get(feature));
            allowed.add(BASE);
            layers = layers.whereLayer(feature).mayOnlyAccessLayers(allowed.toArray(String[]::new));
        }
        return layers.ensureAllClassesAreContainedInArchitecture();
    }

    /** Every class compiled from src/test (io.sfcache.standin.., fixtures, local, bench, ... and test helpers). */
    private static DescribedPredicate<JavaClass> testCode() {
        Set<String> names = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS).importPackages("io.sfcache").stream()
                        .map(JavaClass::getName)
                        .collect(Collectors.toSet());
        if (names.stream().noneMatch(name -> name.startsWith("io.sfcache.standin."))) {
            throw new IllegalStateException(
                    "the test classes (io.sfcache.standin..) were not found: the rule would " + "check nothing");
        }
        return DescribedPredicate.describe(
                "are test code (io.sfcache.standin.., fixtures, local, bench, ...)",
                javaClass -> names.contains(javaClass.getName()));
    }

    /**
     * javac copies constants into the classes that use them ({@code SecurityConfiguration.OPS},
     * {@code SyncHeaders.CHANGE}), so the class files above do not show those dependencies: the sources' imports and
     * qualified names must follow the same table.
     */
    @Test
    void sourceReferencesFollowTheSameTable() throws IOException {
        Path root = ProjectDir.get().resolve("src/main/java/io/sfcache");
        Pattern reference = Pattern.compile("\\bio\\.sfcache\\.([a-z]+)\\.[A-Z]");
        List<String> violations = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(root)) {
            sources = files.filter(file -> file.toString().endsWith(".java"))
                    .sorted()
                    .toList();
        }
        for (Path file : sources) {
            Path relative = root.relativize(file);
            String from =
                    relative.getNameCount() == 1 ? BASE : relative.getName(0).toString();
            List<String> allowed = from.equals(BASE) ? List.of() : MAY_DEPEND_ON.get(from);
            if (allowed == null) {
                violations.add(relative + ": package " + from + " is not in ArchitectureTest.MAY_DEPEND_ON");
                continue;
            }
            Matcher found = reference.matcher(withoutComments(Files.readString(file)));
            while (found.find()) {
                String to = found.group(1);
                if (!to.equals(from) && !allowed.contains(to)) {
                    violations.add(relative + " (" + from + ") refers to " + to + ": " + found.group());
                }
            }
        }
        assertThat(sources).as("main sources under " + root).isNotEmpty();
        assertThat(violations).isEmpty();
    }

    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }
}
