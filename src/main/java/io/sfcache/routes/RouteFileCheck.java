package io.sfcache.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.support.PluginHelper;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.springframework.core.NestedExceptionUtils;

/**
 * Checks a route file against the running configuration before it may replace running routes, so that a broken
 * edit in the live-reload directory is refused instead of stopping a flow: YAML syntax, Camel's own YAML DSL schema
 * ({@code schema/camelYamlDsl.json} in camel-yaml-dsl: unknown keys, misplaced steps), route ids that another file
 * already uses, property placeholders that do not resolve, endpoint schemes no component serves. Each problem comes
 * with the line it is on. It does not start anything: what only starting a route shows is caught when it is applied
 * (see {@link SafeRouteReloadStrategy}).
 */
public class RouteFileCheck {

    /** One problem of a file: its line (1-based; null when unknown) and what is wrong. */
    public record Problem(Integer line, String reason) {
        @Override
        public String toString() {
            return (line == null ? "" : "line " + line + ": ") + reason;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ENDPOINT_KEYS = Set.of("uri", "to", "toD", "wireTap", "enrich", "pollEnrich");

    private final CamelContext camel;

    public RouteFileCheck(CamelContext camel) {
        this.camel = camel;
    }

    /** Problems of the file named fileName with this content; empty when it may be applied. */
    public List<Problem> check(String fileName, String text) {
        Node root;
        Object loaded;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(fileName).build();
            root = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, new StringReader(text))))
                    .getSingleNode()
                    .orElse(null);
            loaded = new Load(settings).loadFromString(text);
        } catch (MarkedYamlEngineException e) {
            return List.of(new Problem(
                    e.getProblemMark().map(m -> m.getLine() + 1).orElse(null), "not valid YAML: " + e.getProblem()));
        }
        if (!(root instanceof SequenceNode)) {
            return List.of(new Problem(
                    root == null ? null : line(root), "a route file is a YAML list of routes (\"- route: ...\")"));
        }
        List<Problem> problems = new ArrayList<>();
        JsonNode tree = JSON.valueToTree(loaded);
        for (ValidationMessage message : schema().validate(tree)) {
            if (isPlaceholder(message.getInstanceNode())) {
                continue; // Camel resolves placeholders before it reads the value, in any field; checked below
            }
            String path = message.getInstanceLocation().toString();
            problems.add(new Problem(line(root, path), "Camel's YAML DSL schema: " + message.getMessage()));
        }
        checkIds((SequenceNode) root, fileName, problems);
        walk(root, null, Set.of(), problems);
        problems.sort(Comparator.comparing((Problem p) -> p.line() == null ? 0 : p.line()));
        return problems;
    }

    private static boolean isPlaceholder(JsonNode value) {
        return value != null && value.isTextual() && value.textValue().contains("{{");
    }

    /** Route ids must be unique in the file and not used by a route another file (or a built-in) defines. */
    private void checkIds(SequenceNode routes, String fileName, List<Problem> problems) {
        Set<String> seen = new HashSet<>();
        for (Node item : routes.getValue()) {
            for (String kind : List.of("route", "routeTemplate")) {
                Node id = child(child(item, kind), "id");
                if (!(id instanceof ScalarNode scalar)) {
                    continue;
                }
                String value = scalar.getValue();
                if (!seen.add(value)) {
                    problems.add(new Problem(line(id), "route id " + value + " appears twice in this file"));
                    continue;
                }
                Route existing = camel.getRoute(value);
                String source = existing == null
                        ? null
                        : existing.getSourceResource() != null
                                ? existing.getSourceResource().getLocation()
                                : existing.getSourceLocation();
                if (existing != null && source != null && !source.contains(fileName)) {
                    problems.add(new Problem(
                            line(id),
                            "route id " + value + " is already used by " + source
                                    + ": give the route an id of its own (this file would replace that route)"));
                }
            }
        }
    }

    /**
     * Placeholders that do not resolve and endpoint schemes no component serves, anywhere in the file. Inside a route
     * template, its parameters are placeholders only a template instance fills: they stand for a dynamic value.
     */
    private void walk(Node node, String key, Set<String> parameters, List<Problem> problems) {
        if (node instanceof MappingNode mapping) {
            Set<String> inScope = "routeTemplate".equals(key) ? parameterNames(mapping) : parameters;
            for (NodeTuple tuple : mapping.getValue()) {
                String childKey = tuple.getKeyNode() instanceof ScalarNode k ? k.getValue() : null;
                walk(tuple.getValueNode(), childKey, inScope, problems);
            }
        } else if (node instanceof SequenceNode sequence) {
            sequence.getValue().forEach(child -> walk(child, key, parameters, problems));
        } else if (node instanceof ScalarNode scalar) {
            String value = scalar.getValue();
            for (String parameter : parameters) {
                value = value.replace("{{" + parameter + "}}", "${" + parameter + "}");
            }
            String resolved = value;
            if (value.contains("{{")) {
                try {
                    resolved = camel.resolvePropertyPlaceholders(value);
                } catch (RuntimeException e) {
                    problems.add(new Problem(
                            line(scalar),
                            "the placeholder in " + scalar.getValue() + " does not resolve: "
                                    + NestedExceptionUtils.getMostSpecificCause(e)
                                            .getMessage()));
                    return;
                }
            }
            if (ENDPOINT_KEYS.contains(key)) {
                checkScheme(scalar, resolved, problems);
            }
        }
    }

    private static Set<String> parameterNames(MappingNode template) {
        Set<String> names = new HashSet<>();
        if (child(template, "parameters") instanceof SequenceNode declared) {
            for (Node parameter : declared.getValue()) {
                if (child(parameter, "name") instanceof ScalarNode name) {
                    names.add(name.getValue());
                }
            }
        }
        return names;
    }

    private void checkScheme(ScalarNode node, String uri, List<Problem> problems) {
        int colon = uri.indexOf(':');
        String scheme = colon > 0 ? uri.substring(0, colon) : uri;
        if (scheme.contains("$") || scheme.isBlank()) {
            return; // a dynamic endpoint: only a message tells where it goes
        }
        if (camel.hasComponent(scheme) == null && !resolvable(scheme)) {
            problems.add(new Problem(
                    line(node),
                    "no component serves the endpoint scheme " + scheme + " (in " + uri
                            + "): a typo, or a component sfcache does not include"));
        }
    }

    private boolean resolvable(String scheme) {
        try {
            return PluginHelper.getComponentResolver(camel).resolveComponent(scheme, camel) != null;
        } catch (Exception e) {
            return false; // found but cannot be created: starting the route would fail the same way
        }
    }

    /** Camel's schema, compiled once per JVM: compiling it takes seconds. */
    private static JsonSchema schema() {
        return CamelYamlDslSchema.SCHEMA;
    }

    private static final class CamelYamlDslSchema {
        static final JsonSchema SCHEMA = load();

        private static JsonSchema load() {
            try (InputStream in =
                    RouteFileCheck.class.getClassLoader().getResourceAsStream("schema/camelYamlDsl.json")) {
                if (in == null) {
                    throw new IllegalStateException("schema/camelYamlDsl.json is missing from camel-yaml-dsl");
                }
                JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4)
                        .getSchema(JSON.readTree(in));
                schema.initializeValidators();
                return schema;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read Camel's YAML DSL schema", e);
            }
        }
    }

    /** The line of the node a JSON path like {@code $[0].route.from.steps[1]} points to, or of the deepest found. */
    private static Integer line(Node root, String path) {
        Node node = root;
        for (String part : path.replaceFirst("^\\$", "").split("(?=[.\\[])")) {
            if (part.isEmpty()) {
                continue;
            }
            Node next = part.startsWith("[")
                    ? element(node, Integer.parseInt(part.substring(1, part.length() - 1)))
                    : child(node, part.substring(1));
            if (next == null) {
                break;
            }
            node = next;
        }
        return line(node);
    }

    private static Node element(Node node, int index) {
        return node instanceof SequenceNode sequence
                        && index < sequence.getValue().size()
                ? sequence.getValue().get(index)
                : null;
    }

    private static Node child(Node node, String key) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return tuple.getValueNode();
                }
            }
        }
        return null;
    }

    private static Integer line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(null);
    }
}
