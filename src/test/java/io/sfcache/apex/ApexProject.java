package io.sfcache.apex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.fixtures.Json;
import io.sfcache.standin.ProjectDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads the Apex publisher's SFDX project ({@code apex/}) the way the Java tests need it: the example change messages
 * (the static resource the Apex tests compare against), the Custom Metadata field lists, the triggers, and the data
 * contracts they must agree with.
 */
final class ApexProject {

    static final Path ROOT = ProjectDir.get().resolve("apex");
    static final Path SOURCE = ROOT.resolve("force-app/main/default");
    static final Path EXAMPLES = SOURCE.resolve("staticresources/SfcacheExamplePayloads.json");
    static final Path CONTRACTS = ProjectDir.get().resolve("src/main/resources/contracts/objects");

    /** One Sfcache_Monitored_Field__mdt record. */
    record MonitoredField(String developerName, String sobject, String field, String salesforceType, boolean active) {}

    private ApexProject() {}

    /** The example messages, in file order. */
    static List<ObjectNode> examples() {
        try {
            JsonNode doc = Json.MAPPER.readTree(EXAMPLES.toFile());
            List<ObjectNode> messages = new ArrayList<>();
            doc.get("messages").forEach(m -> messages.add((ObjectNode) m));
            return messages;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + EXAMPLES, e);
        }
    }

    /** The data contracts by object API name ({@code x-sfcache.sobject}). */
    static Map<String, JsonNode> contracts() {
        Map<String, JsonNode> contracts = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(CONTRACTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".schema.json"))
                    .sorted()
                    .toList()) {
                JsonNode schema = Json.MAPPER.readTree(file.toFile());
                contracts.put(schema.path("x-sfcache").path("sobject").asText(), schema);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the contracts in " + CONTRACTS, e);
        }
        return contracts;
    }

    /** Property names of an object's contract, sorted. */
    static TreeSet<String> contractFields(JsonNode contract) {
        TreeSet<String> names = new TreeSet<>();
        contract.path("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Every Sfcache_Monitored_Field__mdt record in customMetadata/. */
    static List<MonitoredField> monitoredFields() {
        List<MonitoredField> fields = new ArrayList<>();
        try (Stream<Path> files = Files.list(SOURCE.resolve("customMetadata"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("Sfcache_Monitored_Field."))
                    .sorted()
                    .toList()) {
                Map<String, String> values = customMetadataValues(file);
                String name = file.getFileName().toString();
                fields.add(new MonitoredField(
                        name.substring("Sfcache_Monitored_Field.".length(), name.length() - ".md-meta.xml".length()),
                        values.get("Sobject__c"),
                        values.get("Field__c"),
                        values.get("Salesforce_Type__c"),
                        Boolean.parseBoolean(values.get("Active__c"))));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return fields;
    }

    /** The field values of one custom metadata record ({@code <values><field/><value/></values>}). */
    static Map<String, String> customMetadataValues(Path file) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = factory.newDocumentBuilder().parse(file.toFile());
            NodeList values = doc.getElementsByTagNameNS("*", "values");
            Map<String, String> result = new LinkedHashMap<>();
            for (int i = 0; i < values.getLength(); i++) {
                Element value = (Element) values.item(i);
                String field = value.getElementsByTagNameNS("*", "field")
                        .item(0)
                        .getTextContent()
                        .trim();
                Element v = (Element) value.getElementsByTagNameNS("*", "value").item(0);
                boolean nil = "true".equals(v.getAttributeNS("http://www.w3.org/2001/XMLSchema-instance", "nil"));
                result.put(field, nil ? null : v.getTextContent().trim());
            }
            return result;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** What a check run printed (stdout and stderr) and how it exited. */
    record Run(int exitCode, String output) {}

    /**
     * Runs a command in a directory with a deadline; its output goes through a file in work (no pipe to drain).
     */
    static Run run(Path work, Path directory, List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile(work, "run", ".out");
        Process process = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within 2 minutes:\n" + Files.readString(output));
        }
        return new Run(process.exitValue(), Files.readString(output));
    }

    /** A copy of the SFDX project (force-app and sfdx-project.json) under work, to break. */
    static Path copy(Path work) throws IOException {
        Path copy = work.resolve("project");
        Path from = ROOT.resolve("force-app");
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target =
                        copy.resolve("force-app").resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
        Files.copy(ROOT.resolve("sfdx-project.json"), copy.resolve("sfdx-project.json"));
        return copy;
    }

    /** Replaces the first match in a file, failing when there is none (a break that breaks nothing proves nothing). */
    static void replaceFirst(Path file, String regex, String replacement) throws IOException {
        String before = Files.readString(file);
        String after = before.replaceFirst(regex, replacement);
        if (after.equals(before)) {
            throw new AssertionError(file + " has no " + regex + " to break");
        }
        Files.writeString(file, after);
    }
}
