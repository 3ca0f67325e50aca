package io.sfcache.standin.salesforce;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /services/data/...}: the REST calls sfcache makes, under any {@code vNN.0}.
 * <ul>
 * <li>{@code GET /services/data}: the API versions.
 * <li>{@code GET .../query/?q=SOQL} and {@code .../queryAll/?q=} (deleted records too): pages of
 * {@code batchSize} records (the stand-in's setting, or {@code Sforce-Query-Options: batchSize=n}) with
 * {@code totalSize}, {@code done} and, while not done, {@code nextRecordsUrl}; {@code GET .../query/<locator>} the
 * next page.
 * <li>{@code GET .../sobjects/<Object>/<id>[?fields=a,b]}: one record, all fields by default.
 * <li>{@code GET .../sobjects/<Object>/describe/}: the describe, with {@code Last-Modified}; {@code 304} and no body
 * when {@code If-Modified-Since} is not older than the last change of the object's fields.
 * </ul>
 * Every call but the version list needs {@code Authorization: Bearer <token>} (or {@code OAuth <token>}) of a live
 * session, else {@code 401 [{"errorCode":"INVALID_SESSION_ID"}]}, on which clients log in again.
 */
final class RestApi implements HttpHandler {

    private static final Pattern VERSIONED = Pattern.compile("/services/data/(v\\d{2,3}\\.0)(/.*)?");
    private static final Pattern BATCH_SIZE = Pattern.compile("batchSize=(\\d+)");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private final OrgData org;
    private final ObjectCatalog catalog;
    private final Sessions sessions;
    private final IntSupplier batchSize;
    private final QueryCursors cursors = new QueryCursors();
    private final List<DescribeRequest> describeRequests = new java.util.concurrent.CopyOnWriteArrayList<>();

    RestApi(OrgData org, ObjectCatalog catalog, Sessions sessions, IntSupplier batchSize) {
        this.org = org;
        this.catalog = catalog;
        this.sessions = sessions;
        this.batchSize = batchSize;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/services/data") || path.equals("/services/data/")) {
                versions(exchange);
                return;
            }
            Matcher versioned = VERSIONED.matcher(path);
            if (!versioned.matches()) {
                Http.error(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
                return;
            }
            if (!authorized(exchange)) {
                Http.error(exchange, 401, "INVALID_SESSION_ID", "Session expired or invalid");
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                Http.error(
                        exchange,
                        405,
                        "METHOD_NOT_ALLOWED",
                        "HTTP Method '" + exchange.getRequestMethod()
                                + "' not allowed. Allowed are GET (the stand-in is read-only over REST)");
                return;
            }
            String versionPath = "/services/data/" + versioned.group(1);
            List<String> parts = versioned.group(2) == null
                    ? List.of()
                    : Arrays.stream(versioned.group(2).split("/"))
                            .filter(p -> !p.isEmpty())
                            .toList();
            try {
                route(exchange, versionPath, parts);
            } catch (Soql.SoqlException e) {
                Http.error(exchange, 400, e.errorCode(), e.getMessage());
            }
        }
    }

    private void route(HttpExchange exchange, String versionPath, List<String> parts) throws IOException {
        String first = parts.isEmpty() ? "" : parts.get(0);
        if ((first.equals("query") || first.equals("queryAll")) && parts.size() == 1) {
            query(exchange, versionPath, first.equals("queryAll"));
        } else if ((first.equals("query") || first.equals("queryAll")) && parts.size() == 2) {
            nextPage(exchange, versionPath, parts.get(1));
        } else if (first.equals("sobjects") && parts.size() == 3 && parts.get(2).equals("describe")) {
            describe(exchange, versionPath, parts.get(1));
        } else if (first.equals("sobjects") && parts.size() == 3) {
            retrieve(exchange, versionPath, parts.get(1), parts.get(2));
        } else {
            Http.error(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
        }
    }

    private void versions(HttpExchange exchange) throws IOException {
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("label", "Winter '25");
        version.put("url", "/services/data/v62.0");
        version.put("version", "62.0");
        Http.json(exchange, 200, List.of(version));
    }

    private void query(HttpExchange exchange, String versionPath, boolean all) throws IOException {
        String soql = Http.parameters(exchange).get("q");
        if (soql == null || soql.isBlank()) {
            Http.error(exchange, 400, "MALFORMED_QUERY", "A query string has to be specified");
            return;
        }
        Soql.Query query = Soql.parse(soql);
        Optional<SObjectDef> def = catalog.find(query.sobject());
        if (def.isEmpty()) {
            Http.error(exchange, 400, "INVALID_TYPE", "sObject type '" + query.sobject() + "' is not supported.");
            return;
        }
        List<FieldDef> selected = Soql.selectedFields(query, def.get());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> record :
                Soql.run(query, def.get(), org.records(def.get().name(), all))) {
            Map<String, Object> row = attributes(versionPath, def.get().name(), (String) record.get("Id"));
            selected.forEach(f -> row.put(f.name(), f.type().toJson(record.get(f.name()))));
            rows.add(row);
        }
        page(exchange, versionPath, cursors.open(rows), 0, batchSize(exchange));
    }

    private void nextPage(HttpExchange exchange, String versionPath, String locator) throws IOException {
        int dash = locator.lastIndexOf('-');
        Optional<List<Map<String, Object>>> rows =
                dash < 0 ? Optional.empty() : cursors.get(locator.substring(0, dash));
        int offset;
        try {
            offset = dash < 0 ? -1 : Integer.parseInt(locator.substring(dash + 1));
        } catch (NumberFormatException e) {
            offset = -1;
        }
        if (rows.isEmpty() || offset < 0 || offset > rows.get().size()) {
            Http.error(exchange, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
            return;
        }
        page(exchange, versionPath, locator.substring(0, dash), offset, batchSize(exchange));
    }

    private void page(HttpExchange exchange, String versionPath, String cursor, int offset, int size)
            throws IOException {
        List<Map<String, Object>> rows = cursors.get(cursor).orElseThrow();
        int end = Math.min(rows.size(), offset + size);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("totalSize", rows.size());
        body.put("done", end == rows.size());
        if (end < rows.size()) {
            body.put("nextRecordsUrl", versionPath + "/query/" + cursor + "-" + end);
        }
        body.put("records", rows.subList(offset, end));
        Http.json(exchange, 200, body);
    }

    private int batchSize(HttpExchange exchange) {
        String options = exchange.getRequestHeaders().getFirst("Sforce-Query-Options");
        if (options != null) {
            Matcher m = BATCH_SIZE.matcher(options);
            if (m.find()) {
                return Math.max(1, Integer.parseInt(m.group(1)));
            }
        }
        return batchSize.getAsInt();
    }

    private void retrieve(HttpExchange exchange, String versionPath, String sobject, String id) throws IOException {
        Optional<SObjectDef> def = catalog.find(sobject);
        if (def.isEmpty()) {
            Http.error(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
            return;
        }
        Optional<Map<String, Object>> record = org.record(def.get().name(), id);
        if (record.isEmpty()) {
            Http.error(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
            return;
        }
        if (Boolean.TRUE.equals(record.get().get("IsDeleted"))) {
            Http.error(exchange, 404, "ENTITY_IS_DELETED", "entity is deleted");
            return;
        }
        String fieldsParam = Http.parameters(exchange).get("fields");
        List<FieldDef> fields = fieldsParam == null
                ? def.get().fields()
                : Arrays.stream(fieldsParam.split(","))
                        .map(String::trim)
                        .map(f -> def.get()
                                .field(f)
                                .orElseThrow(() -> new Soql.SoqlException(
                                        "INVALID_FIELD",
                                        "No such column '" + f + "' on sobject of type "
                                                + def.get().name())))
                        .toList();
        Map<String, Object> row =
                attributes(versionPath, def.get().name(), (String) record.get().get("Id"));
        fields.forEach(f -> row.put(f.name(), f.type().toJson(record.get().get(f.name()))));
        Http.json(exchange, 200, row);
    }

    List<DescribeRequest> describeRequests() {
        return List.copyOf(describeRequests);
    }

    private void describe(HttpExchange exchange, String versionPath, String sobject) throws IOException {
        String since = exchange.getRequestHeaders().getFirst("If-Modified-Since");
        Optional<SObjectDef> def = catalog.find(sobject);
        if (def.isEmpty()) {
            logDescribe(sobject, since, 404);
            Http.error(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
            return;
        }
        Instant lastModified = def.get().lastModified();
        if (since != null) {
            try {
                Instant sinceInstant = ZonedDateTime.parse(since, HTTP_DATE).toInstant();
                if (!lastModified.isAfter(sinceInstant)) {
                    logDescribe(sobject, since, 304);
                    Http.empty(exchange, 304);
                    return;
                }
            } catch (DateTimeParseException ignored) {
                // HTTP says: ignore an unparseable If-Modified-Since
            }
        }
        logDescribe(sobject, since, 200);
        exchange.getResponseHeaders().set("Last-Modified", HTTP_DATE.format(lastModified.atZone(ZoneOffset.UTC)));
        Http.json(exchange, 200, DescribeDocument.of(def.get(), versionPath));
    }

    /** Logged before answering, so a client that has its answer finds its request in the log. */
    private void logDescribe(String sobject, String since, int status) {
        describeRequests.add(new DescribeRequest(sobject, since, status, Instant.now()));
    }

    private boolean authorized(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null) {
            return false;
        }
        for (String scheme : List.of("Bearer ", "OAuth ")) {
            if (header.regionMatches(true, 0, scheme, 0, scheme.length())) {
                return sessions.isValid(header.substring(scheme.length()).trim());
            }
        }
        return false;
    }

    private static Map<String, Object> attributes(String versionPath, String sobject, String id) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("type", sobject);
        attributes.put("url", versionPath + "/sobjects/" + sobject + "/" + id);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("attributes", attributes);
        return row;
    }
}
