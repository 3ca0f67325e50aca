package io.sfcache.graphql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.graphql.execution.ErrorType;
import org.springframework.stereotype.Component;

import com.azure.cosmos.models.SqlParameter;
import com.fasterxml.jackson.databind.node.ObjectNode;

import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetchingEnvironment;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;

/** Answers the record queries: one record, a page of them, or the related records of many. */
@Component
public class RecordReader {

    private final DataContracts contracts;
    private final RecordRepository repository;
    private final RecordViews views;
    private final GraphqlProperties limits;

    public RecordReader(DataContracts contracts, RecordRepository repository, RecordViews views,
            GraphqlProperties limits) {
        this.contracts = contracts;
        this.repository = repository;
        this.views = views;
        this.limits = limits;
    }

    ObjectFields fields(String sobject) {
        return new ObjectFields(contract(sobject));
    }

    private DataContract contract(String sobject) {
        return contracts.find(sobject).orElseThrow(() -> new InvalidQueryException(sobject
                + " is not a monitored object; monitored: " + contracts.all().stream().map(DataContract::sobject).toList()));
    }

    DataFetcherResult<Map<String, Object>> one(String sobject, String id, DataFetchingEnvironment env) {
        ObjectFields fields = fields(sobject);
        Integer maxStaleness = env.getArgument("maxStaleness");
        Map<String, Object> view = repository.find(fields.contract(), id)
                .map(doc -> views.typed(fields, doc, maxStaleness)).orElse(null);
        return rejectIfStale(view, env);
    }

    DataFetcherResult<Map<String, Object>> generic(String sobject, String id, DataFetchingEnvironment env) {
        DataContract contract = contract(sobject);
        Integer maxStaleness = env.getArgument("maxStaleness");
        Map<String, Object> view = repository.find(contract, id)
                .map(doc -> views.generic(contract, doc, maxStaleness)).orElse(null);
        return rejectIfStale(view, env);
    }

    private DataFetcherResult<Map<String, Object>> rejectIfStale(Map<String, Object> view,
            DataFetchingEnvironment env) {
        if (view != null && RecordViews.isStale(view) && rejectsStale(env)) {
            return DataFetcherResult.<Map<String, Object>>newResult().error(stale(env, 1)).build();
        }
        return DataFetcherResult.<Map<String, Object>>newResult().data(view).build();
    }

    DataFetcherResult<Map<String, Object>> page(String sobject, DataFetchingEnvironment env) {
        ObjectFields fields = fields(sobject);
        int first = pageSize(env.getArgument("first"));
        Ordering ordering = Ordering.of(fields, env.getArgument("orderBy"));
        RecordFilter.Condition filter = RecordFilter.toCondition(fields, env.getArgument("filter"));
        List<String> where = new ArrayList<>(List.of(filter.sql()));
        List<SqlParameter> parameters = new ArrayList<>(filter.parameters());
        if (!Boolean.TRUE.equals(env.getArgument("includeDeleted"))) {
            where.add("c.isDeleted = false");
        }
        String after = env.getArgument("after");
        String filterOnly = String.join(" AND ", where);
        List<SqlParameter> filterParameters = List.copyOf(parameters);
        if (after != null) {
            RecordFilter.Condition keyset = ordering.after(after);
            where.add(keyset.sql());
            parameters.addAll(keyset.parameters());
        }
        List<ObjectNode> rows = repository.query(fields.contract(), String.join(" AND ", where), parameters,
                ordering.orderBySql(), first + 1);
        boolean hasNext = rows.size() > first;
        List<ObjectNode> pageRows = hasNext ? rows.subList(0, first) : rows;
        Integer maxStaleness = env.getArgument("maxStaleness");
        boolean reject = rejectsStale(env);
        List<Map<String, Object>> edges = new ArrayList<>();
        int rejected = 0;
        for (ObjectNode row : pageRows) {
            Map<String, Object> node = views.typed(fields, row, maxStaleness);
            if (reject && RecordViews.isStale(node)) {
                rejected++;
                continue;
            }
            edges.add(Map.of("node", node, "cursor", ordering.cursor(row)));
        }
        Map<String, Object> pageInfo = new LinkedHashMap<>();
        pageInfo.put("hasNextPage", hasNext);
        pageInfo.put("endCursor", pageRows.isEmpty() ? null : ordering.cursor(pageRows.get(pageRows.size() - 1)));
        Map<String, Object> connection = new LinkedHashMap<>();
        connection.put("edges", edges);
        connection.put("pageInfo", pageInfo);
        // Counting scans the filter's matches: only when asked for.
        connection.put("totalCount", env.getSelectionSet().contains("totalCount")
                ? repository.count(fields.contract(), filterOnly, filterParameters) : 0);
        var result = DataFetcherResult.<Map<String, Object>>newResult().data(connection);
        if (rejected > 0) {
            result.error(stale(env, rejected));
        }
        return result.build();
    }

    /** Related records of many rows in one request: {@code idField} holds each row's lookup id. */
    Map<Map<String, Object>, Map<String, Object>> related(List<Map<String, Object>> rows, String idField,
            String targetObject) {
        ObjectFields target = fields(targetObject);
        Map<String, ObjectNode> found = repository.findMany(target.contract(), rows.stream()
                .map(row -> (String) row.get(idField)).filter(java.util.Objects::nonNull).toList());
        return rows.stream()
                .filter(row -> found.containsKey((String) row.get(idField)))
                .collect(Collectors.toMap(row -> row, row -> views.typed(target, found.get((String) row.get(idField)),
                        (Integer) row.get(RecordViews.MAX_STALENESS)), (a, b) -> a));
    }

    private static boolean rejectsStale(DataFetchingEnvironment env) {
        Object onStale = env.getArgument("onStale");
        return "REJECT".equals(String.valueOf(onStale));
    }

    private int pageSize(Integer requested) {
        int first = requested == null ? limits.getDefaultPageSize() : requested;
        if (first < 1 || first > limits.getMaxPageSize()) {
            throw new InvalidQueryException("first must be between 1 and " + limits.getMaxPageSize() + ", got " + first);
        }
        return first;
    }

    private static graphql.GraphQLError stale(DataFetchingEnvironment env, int count) {
        return GraphqlErrorBuilder.newError(env).errorType(ErrorType.BAD_REQUEST)
                .message(count + " record(s) older than maxStaleness (" + env.getArgument("maxStaleness")
                        + " s) left out (onStale: REJECT)")
                .extensions(Map.of("code", "STALE")).build();
    }
}
