package io.sfcache.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.cosmos.models.SqlParameter;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContract.Field;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The filter-to-SQL translation on its own, where injection would get in: values only ever become parameters,
 * field names only ever come from the contract, and each comparison is guarded by the value's type so that null,
 * missing and other-typed fields match exactly as the README says (see also GeneratedFiltersTest against Cosmos).
 */
class RecordFilterTest {

    private static final ObjectFields ACCOUNT = new ObjectFields(contract());

    private static DataContract contract() {
        Map<String, Field> fields = new LinkedHashMap<>();
        fields.put("Name", new Field("Name", "string", true, 255, List.of(), null, true, null, null));
        fields.put(
                "AnnualRevenue",
                new Field("AnnualRevenue", "currency", false, null, List.of(), null, true, null, null));
        fields.put("Since__c", new Field("Since__c", "date", false, null, List.of(), null, true, null, null));
        return new DataContract("Account", "account", "account", "account.schema.json", null, null, fields);
    }

    private static RecordFilter.Condition translate(Map<String, Object> filter) {
        return RecordFilter.toCondition(ACCOUNT, filter);
    }

    @Test
    void valuesBecomeParametersWhateverTheyHold() {
        String hostile = "x\") OR 1=1 OR STARTSWITH(c.id, \"";
        RecordFilter.Condition condition = translate(Map.of("name", Map.of("eq", hostile)));
        assertThat(condition.sql())
                .isEqualTo("((IS_STRING(c.fields[\"Name\"]) AND c.fields[\"Name\"] = @p0))")
                .doesNotContain("1=1");
        assertThat(condition.parameters()).extracting(SqlParameter::getName).containsExactly("@p0");
        assertThat(condition.parameters().get(0).getValue(String.class)).isEqualTo(hostile);
    }

    @Test
    void fieldNamesComeOnlyFromTheContract() {
        assertThatThrownBy(() -> translate(Map.of("name\"] OR true OR c.fields[\"x", Map.of("eq", "a"))))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessage("Account has no field name\"] OR true OR c.fields[\"x");
        assertThatThrownBy(() -> translate(Map.of("Name", Map.of("eq", "a"))))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessage("Account has no field Name");
    }

    @Test
    void negationsAndNullsAreTotal() {
        assertThat(translate(Map.of("annualRevenue", Map.of("ne", 5))).sql())
                .isEqualTo("(NOT (IS_NUMBER(c.fields[\"AnnualRevenue\"]) AND c.fields[\"AnnualRevenue\"] = @p0))");
        assertThat(translate(Map.of("annualRevenue", Map.of("isNull", true))).sql())
                .isEqualTo("((NOT IS_DEFINED(c.fields[\"AnnualRevenue\"]) OR IS_NULL(c.fields[\"AnnualRevenue\"])))");
        assertThat(translate(Map.of("not", Map.of("name", Map.of("startsWith", "Ac"))))
                        .sql())
                .isEqualTo("(NOT (((IS_STRING(c.fields[\"Name\"]) AND STARTSWITH(c.fields[\"Name\"], @p0)))))");
    }

    @Test
    void emptyListsMatchAsLogicSays() {
        assertThat(translate(Map.of("and", List.of())).sql()).isEqualTo("(true)");
        assertThat(translate(Map.of("or", List.of())).sql()).isEqualTo("(false)");
        assertThat(translate(Map.of("name", Map.of("in", List.of()))).sql()).isEqualTo("(false)");
        assertThat(translate(Map.of()).sql()).isEqualTo("true");
    }

    @Test
    void inIsOneArrayParameter() {
        RecordFilter.Condition condition = translate(Map.of("id", Map.of("in", List.of("001A", "001B"))));
        assertThat(condition.sql()).isEqualTo("((IS_STRING(c.id) AND ARRAY_CONTAINS(@p0, c.id)))");
        assertThat(condition.parameters().get(0).getValue(List.class)).isEqualTo(List.of("001A", "001B"));
    }

    @Test
    void datesAndSubMillisecondDateTimesCompareAsStoredText() {
        assertThat(translate(Map.of("since", Map.of("gte", LocalDate.of(2026, 1, 31))))
                        .parameters()
                        .get(0)
                        .getValue(String.class))
                .isEqualTo("2026-01-31");
        // a bound between two milliseconds rounds to keep the comparison exact for stored (millisecond) times
        OffsetDateTime between = OffsetDateTime.parse("2026-01-31T10:00:00.0005Z");
        assertThat(translate(Map.of("syncedAt", Map.of("gte", between)))
                        .parameters()
                        .get(0)
                        .getValue(String.class))
                .isEqualTo("2026-01-31T10:00:00.001Z");
        assertThat(translate(Map.of("syncedAt", Map.of("gt", between)))
                        .parameters()
                        .get(0)
                        .getValue(String.class))
                .isEqualTo("2026-01-31T10:00:00.000Z");
    }

    @Test
    void unknownOperatorsAreRefusedByName() {
        assertThatThrownBy(() -> translate(Map.of("name", Map.of("like", "%"))))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessage("unknown filter operator like");
    }
}
