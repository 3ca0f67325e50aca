package io.sfcache.graphql;

import com.azure.cosmos.models.SqlParameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Cosmos query behind one page of a list: the filter, tombstones left out unless asked for, the position after
 * the cursor, and the ordering. {@code filterOnly} is the same without the cursor, for counting.
 */
record PageQuery(
        String where,
        List<SqlParameter> parameters,
        String filterOnly,
        List<SqlParameter> filterParameters,
        Ordering ordering,
        int first) {

    @SuppressWarnings("unchecked")
    static PageQuery of(ObjectFields fields, Map<String, Object> arguments, int first) {
        Ordering ordering = Ordering.of(fields, (Map<String, Object>) arguments.get("orderBy"));
        RecordFilter.Condition filter = RecordFilter.toCondition(fields, (Map<String, Object>) arguments.get("filter"));
        List<String> where = new ArrayList<>(List.of(filter.sql()));
        if (!Boolean.TRUE.equals(arguments.get("includeDeleted"))) {
            where.add("c.isDeleted = false");
        }
        String filterOnly = String.join(" AND ", where);
        List<SqlParameter> parameters = new ArrayList<>(filter.parameters());
        String after = (String) arguments.get("after");
        if (after != null) {
            RecordFilter.Condition keyset = ordering.after(after);
            where.add(keyset.sql());
            parameters.addAll(keyset.parameters());
        }
        return new PageQuery(
                String.join(" AND ", where), List.copyOf(parameters), filterOnly, filter.parameters(), ordering, first);
    }

    /** The same query for the children of one parent: {@code lookupPath} holds the parent's id. */
    PageQuery scopedTo(String lookupPath, String parentId) {
        String scope = lookupPath + " = @parent";
        SqlParameter parent = new SqlParameter("@parent", parentId);
        List<SqlParameter> all = new ArrayList<>(parameters);
        all.add(parent);
        List<SqlParameter> filterAll = new ArrayList<>(filterParameters);
        filterAll.add(parent);
        return new PageQuery(scope + " AND " + where, all, scope + " AND " + filterOnly, filterAll, ordering, first);
    }
}
