package io.sfcache.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * The contracts sfcache enforces: the change-message envelope and one data contract per monitored object, loaded
 * once at start-up. A configured object without a readable contract stops start-up, naming the file to add. Which
 * objects, and where their contracts are, is the sync pipeline's setting ({@code sfcache.sync.objects},
 * {@code sfcache.sync.contracts-location}), and SyncConfiguration makes the bean from it: contracts depend on no other
 * sfcache package.
 */
public class DataContracts {

    static final String ENVELOPE = "classpath:contracts/change-message.schema.json";
    static final List<String> ANNOTATIONS = List.of(
            "x-sfcache", "x-salesforce-type", "x-references", "x-sortable", "x-graphql-name", "x-child-relationship");

    private final JsonSchema envelope;
    private final Map<String, DataContract> byObject = new LinkedHashMap<>();
    private final Map<String, JsonNode> documents = new LinkedHashMap<>();
    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig config;

    /**
     * @param objects           the monitored objects' API names ({@code sfcache.sync.objects})
     * @param contractsLocation where their contracts are, ending in '/' ({@code sfcache.sync.contracts-location})
     */
    public DataContracts(List<String> objects, String contractsLocation, ResourceLoader resources, ObjectMapper json) {
        this(resources, json);
        List<String> problems = new ArrayList<>();
        for (String sobject : objects) {
            String key = sobject.toLowerCase(Locale.ROOT);
            String location = contractsLocation + key + ".schema.json";
            Resource resource = resources.getResource(location);
            if (!resource.exists()) {
                problems.add("sfcache.sync.objects lists " + sobject + " but its contract " + location
                        + " does not exist: add the file, or remove " + sobject + " from sfcache.sync.objects");
                continue;
            }
            add(sobject, location, () -> read(resource, json), problems);
        }
        failOn(problems);
    }

    /**
     * Contracts already read, e.g. by a tool outside the application (the impact check): each document names its
     * object in {@code x-sfcache.sobject}.
     *
     * @param schemas contract documents by where they came from (a file, a URL), in the order to keep
     */
    public DataContracts(Map<String, JsonNode> schemas, ObjectMapper json) {
        this(new DefaultResourceLoader(), json);
        List<String> problems = new ArrayList<>();
        schemas.forEach((location, schema) -> {
            String sobject = schema.path("x-sfcache").path("sobject").asText(null);
            if (sobject == null) {
                problems.add(location + " has no x-sfcache.sobject: not a data contract");
            } else if (byObject.containsKey(sobject)) {
                problems.add(location + " declares " + sobject + " again (first in "
                        + byObject.get(sobject).location() + ")");
            } else {
                add(sobject, location, () -> schema, problems);
            }
        });
        failOn(problems);
    }

    private DataContracts(ResourceLoader resources, ObjectMapper json) {
        // Formats (date, date-time, email) are assertions here, not annotations: a bad date is a contract violation.
        this.config =
                SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        // The x-* keywords carry what sfcache knows about Salesforce fields; they are annotations, not assertions.
        JsonMetaSchema dialect = JsonMetaSchema.builder(JsonMetaSchema.getV202012())
                .keywords(ANNOTATIONS.stream().map(NonValidationKeyword::new).toList())
                .build();
        this.factory =
                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, builder -> builder.metaSchema(dialect));
        this.envelope = factory.getSchema(read(resources.getResource(ENVELOPE), json), config);
    }

    private void add(String sobject, String location, Supplier<JsonNode> document, List<String> problems) {
        String key = sobject.toLowerCase(Locale.ROOT);
        try {
            JsonNode schema = document.get();
            String declared = schema.path("x-sfcache").path("sobject").asText(null);
            if (!sobject.equals(declared)) {
                problems.add(location + " declares x-sfcache.sobject=" + declared + ", expected " + sobject);
                return;
            }
            com.fasterxml.jackson.databind.node.ObjectNode partial = schema.deepCopy();
            partial.remove("required");
            byObject.put(
                    sobject,
                    new DataContract(
                            sobject,
                            key,
                            key,
                            location,
                            factory.getSchema(schema, config),
                            factory.getSchema(partial, config),
                            fields(schema)));
            documents.put(sobject, schema.deepCopy());
        } catch (RuntimeException e) {
            problems.add(location + " is not a valid JSON Schema: " + e.getMessage());
        }
    }

    private static void failOn(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Data contracts are not usable:\n - " + String.join("\n - ", problems));
        }
    }

    private static JsonNode read(Resource resource, ObjectMapper json) {
        try (InputStream in = resource.getInputStream()) {
            return json.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, DataContract.Field> fields(JsonNode schema) {
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(n -> required.add(n.asText()));
        Map<String, DataContract.Field> fields = new LinkedHashMap<>();
        schema.path("properties").fields().forEachRemaining(entry -> {
            JsonNode f = entry.getValue();
            List<String> picklist = new ArrayList<>();
            f.path("enum").forEach(v -> {
                if (!v.isNull()) {
                    picklist.add(v.asText());
                }
            });
            fields.put(
                    entry.getKey(),
                    new DataContract.Field(
                            entry.getKey(),
                            f.path("x-salesforce-type").asText(null),
                            required.contains(entry.getKey()),
                            f.has("maxLength") ? f.get("maxLength").asInt() : null,
                            List.copyOf(picklist),
                            f.path("x-references").asText(null),
                            f.path("x-sortable").asBoolean(false),
                            f.path("x-graphql-name").asText(null),
                            f.path("x-child-relationship").asText(null)));
        });
        return fields;
    }

    public JsonSchema envelope() {
        return envelope;
    }

    /** The contract of a monitored object, by its exact API name. */
    public Optional<DataContract> find(String sobject) {
        return Optional.ofNullable(byObject.get(sobject));
    }

    public Collection<DataContract> all() {
        return byObject.values();
    }

    /** A monitored object's contract as it was read (a copy): the JSON Schema document, annotations and all. */
    public Optional<JsonNode> document(String sobject) {
        return Optional.ofNullable(documents.get(sobject)).map(JsonNode::deepCopy);
    }
}
