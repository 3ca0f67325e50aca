package io.sfcache.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.contracts.DataContract;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a reconciliation re-reads from Salesforce: one object's records matching a SOQL condition, or nothing (no
 * usable ids). The body the {@code reconcile-records} route takes.
 *
 * @param where the SOQL condition, or null when there is nothing to read
 */
public record ReconcileQuery(String sobject, String where) {

    /** Salesforce ids only ever contain these: safe to put into SOQL text. */
    private static final Pattern SALESFORCE_ID = Pattern.compile("[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?");

    private static final DateTimeFormatter SOQL_DATETIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** The given records (anything that is not a Salesforce id is left out: it cannot name a record). */
    public static ReconcileQuery ids(String sobject, List<String> ids) {
        List<String> safe =
                ids.stream().filter(id -> SALESFORCE_ID.matcher(id).matches()).toList();
        return new ReconcileQuery(sobject, safe.isEmpty() ? null : "Id IN ('" + String.join("','", safe) + "')");
    }

    /** Everything modified since {@code since}. */
    public static ReconcileQuery since(String sobject, Instant since) {
        return new ReconcileQuery(sobject, "SystemModstamp >= " + SOQL_DATETIME.format(since));
    }

    /** Everything modified in [from, to): an outage's window. */
    public static ReconcileQuery window(String sobject, Instant from, Instant to) {
        return new ReconcileQuery(
                sobject,
                "SystemModstamp >= " + SOQL_DATETIME.format(from) + " AND SystemModstamp < "
                        + SOQL_DATETIME.format(to));
    }

    /**
     * The first page's SOQL: id, version and deletion flag, then the contract's fields, oldest change first; null when
     * there is nothing to read.
     */
    public String soql(DataContract contract) {
        if (where == null) {
            return null;
        }
        List<String> columns = new ArrayList<>(List.of("Id", "SystemModstamp", "IsDeleted"));
        columns.addAll(contract.fields().keySet());
        return "SELECT " + String.join(", ", columns) + " FROM " + sobject + " WHERE " + where
                + " ORDER BY SystemModstamp ASC";
    }

    /** A page of query results: where the next page is, or null after the last one. */
    public static String nextPage(JsonNode page) {
        if (page.path("done").asBoolean(true) || !page.hasNonNull("nextRecordsUrl")) {
            return null;
        }
        return page.get("nextRecordsUrl").asText();
    }
}
