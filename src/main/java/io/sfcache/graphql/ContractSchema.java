package io.sfcache.graphql;

import io.sfcache.contracts.DataContract;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The per-object part of the schema, written as SDL from the contracts: each object's type, its connection, filter
 * and sort inputs, its two queries, its parents and its lists of children. The shared parts (scalars, freshness,
 * the per-scalar filters, operations) are hand-written in {@code graphql/sfcache.graphqls}.
 */
final class ContractSchema {

    /** Salesforce describe types to GraphQL scalars; any other type is served as JSON, neither filtered nor sorted. */
    private static final Map<String, String> SCALARS = Map.ofEntries(
            Map.entry("id", "ID"),
            Map.entry("reference", "ID"),
            Map.entry("string", "String"),
            Map.entry("textarea", "String"),
            Map.entry("email", "String"),
            Map.entry("phone", "String"),
            Map.entry("url", "String"),
            Map.entry("picklist", "String"),
            Map.entry("multipicklist", "String"),
            Map.entry("combobox", "String"),
            Map.entry("encryptedstring", "String"),
            Map.entry("time", "String"),
            Map.entry("int", "Int"),
            Map.entry("double", "Float"),
            Map.entry("currency", "Float"),
            Map.entry("percent", "Float"),
            Map.entry("long", "Float"),
            Map.entry("boolean", "Boolean"),
            Map.entry("date", "Date"),
            Map.entry("datetime", "DateTime"));

    private ContractSchema() {}

    static String scalar(DataContract.Field field) {
        return SCALARS.getOrDefault(field.salesforceType(), "JSON");
    }

    static String sdl(ObjectApis apis) {
        StringBuilder sdl = new StringBuilder();
        for (ObjectApi api : apis.all()) {
            objectType(sdl, api, apis);
            connection(sdl, api);
            filter(sdl, api);
            ordering(sdl, api);
            queries(sdl, api);
        }
        return sdl.toString();
    }

    private static void objectType(StringBuilder sdl, ObjectApi api, ObjectApis apis) {
        DataContract contract = api.contract();
        sdl.append(description(
                "",
                "Salesforce " + contract.sobject() + " (data contract " + contract.location()
                        + "). Fields are the contract's monitored fields."));
        sdl.append("type ").append(api.type()).append(" {\n  id: ID!\n");
        api.fields().fields().forEach((name, field) -> {
            sdl.append(description("  ", fieldDescription(field)));
            sdl.append("  ")
                    .append(name)
                    .append(": ")
                    .append(scalar(field))
                    .append(field.required() ? "!" : "")
                    .append('\n');
            api.lookups().stream()
                    .filter(lookup -> lookup.field() == field)
                    .forEach(lookup -> sdl.append(description(
                                    "  ",
                                    "The " + lookup.target() + " " + field.name()
                                            + " points to, if cached (resolved for a whole page at once)."))
                            .append("  ")
                            .append(lookup.relation())
                            .append(": ")
                            .append(apis.get(lookup.target()).type())
                            .append('\n'));
        });
        for (ObjectApi.Children children : api.children()) {
            ObjectApi child = apis.get(children.child());
            sdl.append(description(
                    "  ",
                    "The " + child.sobject() + " records whose "
                            + children.lookup().name()
                            + " is this record (read for a whole page of parents at once)."));
            sdl.append("  ")
                    .append(children.connection())
                    .append("(first: Int, after: String, filter: ")
                    .append(child.type())
                    .append("Filter, orderBy: ")
                    .append(child.type())
                    .append("Order, includeDeleted: Boolean = false): ")
                    .append(child.type())
                    .append("Connection!\n");
        }
        sdl.append("  freshness: Freshness!\n}\n\n");
    }

    private static String fieldDescription(DataContract.Field field) {
        StringBuilder text = new StringBuilder(field.name()).append(" (").append(field.salesforceType());
        if (field.maxLength() != null) {
            text.append(", at most ").append(field.maxLength()).append(" characters");
        }
        text.append(')');
        if (!field.picklistValues().isEmpty()) {
            text.append(". Values: ").append(String.join(", ", field.picklistValues()));
        }
        return text.append('.').toString();
    }

    private static void connection(StringBuilder sdl, ObjectApi api) {
        String type = api.type();
        sdl.append("type ")
                .append(type)
                .append("Connection {\n  edges: [")
                .append(type)
                .append("Edge!]!\n")
                .append("  pageInfo: PageInfo!\n  \"Counted only when asked for.\"\n  totalCount: Int!\n}\n\n");
        sdl.append("type ").append(type).append("Edge {\n  node: ").append(type).append("!\n  cursor: String!\n}\n\n");
    }

    private static void filter(StringBuilder sdl, ObjectApi api) {
        String input = api.type() + "Filter";
        sdl.append(description("", "Conditions on " + api.sobject() + " records; all given must hold."));
        sdl.append("input ")
                .append(input)
                .append(" {\n  and: [")
                .append(input)
                .append("!]\n  or: [")
                .append(input)
                .append("!]\n  not: ")
                .append(input)
                .append("\n  id: IdFilter\n");
        api.fields().fields().forEach((name, field) -> {
            String scalar = scalar(field);
            if (!"JSON".equals(scalar)) {
                sdl.append("  ")
                        .append(name)
                        .append(": ")
                        .append("ID".equals(scalar) ? "Id" : scalar)
                        .append("Filter\n");
            }
        });
        sdl.append("  syncedAt: DateTimeFilter\n}\n\n");
    }

    private static void ordering(StringBuilder sdl, ObjectApi api) {
        String type = api.type();
        String values = api.fields().fields().entrySet().stream()
                .filter(entry -> entry.getValue().sortable() && !"JSON".equals(scalar(entry.getValue())))
                .map(entry -> ObjectFields.sortEnum(entry.getKey()))
                .collect(Collectors.joining(" "));
        sdl.append("enum ")
                .append(type)
                .append("SortField { ID ")
                .append(values.isEmpty() ? "" : values + " ")
                .append("SYNCED_AT }\n\n");
        sdl.append("input ")
                .append(type)
                .append("Order {\n  field: ")
                .append(type)
                .append("SortField!\n")
                .append("  direction: SortDirection = ASC\n}\n\n");
    }

    private static void queries(StringBuilder sdl, ObjectApi api) {
        String type = api.type();
        sdl.append("extend type Query {\n");
        sdl.append(description("  ", "One " + api.sobject() + " by id; null if sfcache holds none."));
        sdl.append("  ")
                .append(api.one())
                .append("(id: ID!, maxStaleness: Int, onStale: StalePolicy = FLAG): ")
                .append(type)
                .append('\n');
        sdl.append(description("  ", api.sobject() + " records, a page at a time."));
        sdl.append("  ")
                .append(api.many())
                .append("(first: Int, after: String, filter: ")
                .append(type)
                .append("Filter, orderBy: ")
                .append(type)
                .append("Order, includeDeleted: Boolean = false, ")
                .append("maxStaleness: Int, onStale: StalePolicy = FLAG): ")
                .append(type)
                .append("Connection!\n}\n\n");
    }

    private static String description(String indent, String text) {
        return indent + "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n";
    }
}
