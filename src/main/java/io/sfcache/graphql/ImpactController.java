package io.sfcache.graphql;

import com.azure.cosmos.models.SqlParameter;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;

/**
 * What the impact check ({@code io.sfcache.impact.ImpactCheck}) asks a running sfcache before a Salesforce change is
 * deployed: the contracts it enforces, and how many cached records a change to a field would touch. Counts only,
 * never values of records: one parameterised {@code COUNT} query per number asked for.
 */
@Controller
@PreAuthorize("hasAuthority('ROLE_OPS')")
public class ImpactController {

    /** At most this many values per question: each is one count query. */
    static final int MAX_VALUES = 100;

    private static final String LIVE = "c.isDeleted = false";

    private final DataContracts contracts;
    private final RecordRepository records;
    private final ObjectMapper json;

    public ImpactController(DataContracts contracts, RecordRepository records, ObjectMapper json) {
        this.contracts = contracts;
        this.records = records;
        this.json = json;
    }

    @QueryMapping
    public List<Map<String, Object>> dataContracts() {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (DataContract contract : contracts.all()) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("sobject", contract.sobject());
            document.put("location", contract.location());
            document.put(
                    "schema",
                    json.convertValue(contracts.document(contract.sobject()).orElseThrow(), Map.class));
            documents.add(document);
        }
        return documents;
    }

    @QueryMapping
    public Map<String, Object> fieldUsage(
            @Argument String sobject,
            @Argument String field,
            @Argument List<String> values,
            @Argument Integer longerThan) {
        DataContract contract = contracts
                .find(sobject)
                .orElseThrow(() -> new InvalidQueryException(sobject + " is not a monitored object"));
        DataContract.Field declared = contract.fields().values().stream()
                .filter(f -> f.name().equalsIgnoreCase(field))
                .findFirst()
                .orElseThrow(() -> new InvalidQueryException(
                        sobject + "." + field + " is not in the data contract: sfcache stores no value of it"));
        List<String> asked = values == null ? List.of() : List.copyOf(new LinkedHashSet<>(values));
        if (asked.size() > MAX_VALUES) {
            throw new InvalidQueryException("at most " + MAX_VALUES + " values, got " + asked.size());
        }
        if (longerThan != null && longerThan < 0) {
            throw new InvalidQueryException("longerThan must be 0 or more, got " + longerThan);
        }
        // The API name comes from the contract, not from the request: safe inside the query text.
        String path = "c.fields[\"" + declared.name() + "\"]";
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("sobject", contract.sobject());
        usage.put("field", declared.name());
        usage.put(
                "records",
                records.count(
                        contract, LIVE + " AND IS_DEFINED(" + path + ") AND NOT IS_NULL(" + path + ")", List.of()));
        boolean multiSelect = "multipicklist".equalsIgnoreCase(declared.salesforceType());
        List<Map<String, Object>> counts = new ArrayList<>();
        for (String value : asked) {
            long count = multiSelect
                    // stored as Salesforce sends it: the selected values joined by ';'
                    ? records.count(
                            contract,
                            LIVE + " AND IS_STRING(" + path + ") AND CONTAINS(CONCAT(\";\", " + path + ", \";\"), @v)",
                            List.of(new SqlParameter("@v", ";" + value + ";")))
                    : records.count(contract, LIVE + " AND " + path + " = @v", List.of(new SqlParameter("@v", value)));
            counts.add(Map.of("value", value, "count", count));
        }
        usage.put("values", counts);
        usage.put(
                "longerCount",
                longerThan == null
                        ? null
                        : records.count(
                                contract,
                                LIVE + " AND IS_STRING(" + path + ") AND LENGTH(" + path + ") > @n",
                                List.of(new SqlParameter("@n", longerThan))));
        return usage;
    }
}
