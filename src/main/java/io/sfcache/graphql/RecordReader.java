package io.sfcache.graphql;

import com.azure.cosmos.models.SqlParameter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetchingEnvironment;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.dataloader.DataLoader;
import org.springframework.graphql.execution.BatchLoaderRegistry;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Answers the record queries of every object: one record, a page of them, the parent a lookup points to and the
 * children that point to a record. Parents and children are read through data loaders, so a page of records costs
 * one Cosmos request per relation, not one per row.
 */
@Component
public class RecordReader {

    /** What a root query asked for that its related records inherit (GraphQL local context). */
    record ReadContext(Integer maxStaleness) {}

    /** The children of one parent through one lookup, with the list's arguments (the same for a whole page). */
    record ChildrenKey(String parentId, Map<String, Object> arguments) {}

    /** The first rows (up to first + 1, to tell whether there is a next page) of one parent's children. */
    record ChildRows(List<ObjectNode> rows) {}

    private final DataContracts contracts;
    private final ObjectApis apis;
    private final RecordRepository repository;
    private final RecordViews views;
    private final GraphqlProperties limits;

    public RecordReader(
            DataContracts contracts,
            ObjectApis apis,
            RecordRepository repository,
            RecordViews views,
            GraphqlProperties limits,
            BatchLoaderRegistry loaders) {
        this.contracts = contracts;
        this.apis = apis;
        this.repository = repository;
        this.views = views;
        this.limits = limits;
        for (ObjectApi api : apis.all()) {
            loaders.<String, ObjectNode>forName(recordLoader(api.sobject()))
                    .registerMappedBatchLoader(
                            (ids, env) -> Mono.fromCallable(() -> repository.findMany(api.contract(), ids)));
            for (ObjectApi.Children children : api.children()) {
                loaders.<ChildrenKey, ChildRows>forName(childrenLoader(children))
                        .registerMappedBatchLoader((keys, env) -> Mono.fromCallable(() -> childRows(children, keys)));
            }
        }
    }

    private static String recordLoader(String sobject) {
        return "record:" + sobject;
    }

    private static String childrenLoader(ObjectApi.Children children) {
        return "children:" + children.child() + "." + children.lookup().name();
    }

    DataFetcherResult<Map<String, Object>> one(ObjectApi api, DataFetchingEnvironment env) {
        Integer maxStaleness = env.getArgument("maxStaleness");
        Map<String, Object> view = repository
                .find(api.contract(), env.getArgument("id"))
                .map(doc -> views.typed(api.fields(), doc, maxStaleness))
                .orElse(null);
        return rejectIfStale(view, env);
    }

    DataFetcherResult<Map<String, Object>> generic(String sobject, String id, DataFetchingEnvironment env) {
        DataContract contract = contracts
                .find(sobject)
                .orElseThrow(() -> new InvalidQueryException(sobject + " is not a monitored object; monitored: "
                        + contracts.all().stream().map(DataContract::sobject).toList()));
        Integer maxStaleness = env.getArgument("maxStaleness");
        Map<String, Object> view = repository
                .find(contract, id)
                .map(doc -> views.generic(contract, doc, maxStaleness))
                .orElse(null);
        return rejectIfStale(view, env);
    }

    private DataFetcherResult<Map<String, Object>> rejectIfStale(
            Map<String, Object> view, DataFetchingEnvironment env) {
        if (view != null && RecordViews.isStale(view) && rejectsStale(env)) {
            return DataFetcherResult.<Map<String, Object>>newResult()
                    .error(stale(env, 1))
                    .build();
        }
        return DataFetcherResult.<Map<String, Object>>newResult()
                .data(view)
                .localContext(new ReadContext(env.getArgument("maxStaleness")))
                .build();
    }

    DataFetcherResult<Map<String, Object>> page(ObjectApi api, DataFetchingEnvironment env) {
        PageQuery query = PageQuery.of(api.fields(), env.getArguments(), pageSize(env.getArgument("first")));
        List<ObjectNode> rows = repository.query(
                api.contract(),
                query.where(),
                query.parameters(),
                query.ordering().orderBySql(),
                query.first() + 1);
        return connection(
                api, query, rows, new ReadContext(env.getArgument("maxStaleness")), rejectsStale(env), env, null);
    }

    /** The parent record a lookup points to, read together with those of the other rows of the page. */
    CompletableFuture<Map<String, Object>> parent(ObjectApi.Lookup lookup, DataFetchingEnvironment env) {
        Map<String, Object> source = env.getSource();
        String id = (String) source.get(lookup.idField());
        if (id == null) {
            return CompletableFuture.completedFuture(null);
        }
        ObjectApi target = apis.get(lookup.target());
        DataLoader<String, ObjectNode> loader = env.getDataLoader(recordLoader(target.sobject()));
        Integer maxStaleness = inherited(env).maxStaleness();
        return loader.load(id).thenApply(doc -> doc == null ? null : views.typed(target.fields(), doc, maxStaleness));
    }

    /** A page of one record's children, read together with those of the other parents of the page. */
    CompletableFuture<DataFetcherResult<Map<String, Object>>> children(
            ObjectApi.Children children, DataFetchingEnvironment env) {
        ObjectApi child = apis.get(children.child());
        Map<String, Object> source = env.getSource();
        String parentId = (String) source.get(ObjectFields.ID);
        // Checked here, before the batch, so a bad argument is this field's error and not the whole batch's.
        PageQuery query = PageQuery.of(child.fields(), env.getArguments(), pageSize(env.getArgument("first")));
        DataLoader<ChildrenKey, ChildRows> loader = env.getDataLoader(childrenLoader(children));
        return loader.load(new ChildrenKey(parentId, env.getArguments()))
                .thenApply(found -> connection(
                        child,
                        query.scopedTo(child.fields().path(ObjectApi.fieldName(children.lookup())), parentId),
                        found.rows(),
                        inherited(env),
                        false,
                        env,
                        parentId));
    }

    /**
     * One Cosmos query for the children of all parents asking with the same arguments, ordered by parent so that each
     * parent's rows come together; a parent whose rows the bounded read did not reach to the end gets a query of its
     * own.
     */
    private Map<ChildrenKey, ChildRows> childRows(ObjectApi.Children children, Set<ChildrenKey> keys) {
        ObjectApi child = apis.get(children.child());
        String lookupPath = child.fields().path(ObjectApi.fieldName(children.lookup()));
        Map<Map<String, Object>, List<ChildrenKey>> byArguments = new LinkedHashMap<>();
        keys.forEach(key -> byArguments
                .computeIfAbsent(key.arguments(), k -> new ArrayList<>())
                .add(key));
        Map<ChildrenKey, ChildRows> result = new HashMap<>();
        byArguments.forEach((arguments, sameArguments) -> {
            PageQuery query = PageQuery.of(child.fields(), arguments, pageSize((Integer) arguments.get("first")));
            List<SqlParameter> parameters = new ArrayList<>(query.parameters());
            List<String> names = new ArrayList<>();
            for (ChildrenKey key : sameArguments) {
                names.add("@parent" + names.size());
                parameters.add(new SqlParameter(names.get(names.size() - 1), key.parentId()));
            }
            int budget = limits.getRelatedRowsPerRequest();
            List<ObjectNode> rows = repository.query(
                    child.contract(),
                    lookupPath + " IN (" + String.join(", ", names) + ") AND " + query.where(),
                    parameters,
                    query.ordering().orderBySql(lookupPath),
                    budget);
            Map<String, List<ObjectNode>> byParent = new LinkedHashMap<>();
            rows.forEach(row -> byParent.computeIfAbsent(
                            row.path("fields").path(children.lookup().name()).asText(), k -> new ArrayList<>())
                    .add(row));
            Set<String> complete = new LinkedHashSet<>(byParent.keySet());
            if (rows.size() == budget) {
                // The read stopped inside the last parent's rows: it and the parents after it are not complete.
                complete.remove(rows.get(rows.size() - 1)
                        .path("fields")
                        .path(children.lookup().name())
                        .asText());
            }
            for (ChildrenKey key : sameArguments) {
                List<ObjectNode> own = byParent.getOrDefault(key.parentId(), List.of());
                if (own.size() <= query.first() && !complete.contains(key.parentId()) && rows.size() == budget) {
                    PageQuery scoped = query.scopedTo(lookupPath, key.parentId());
                    own = repository.query(
                            child.contract(),
                            scoped.where(),
                            scoped.parameters(),
                            scoped.ordering().orderBySql(),
                            query.first() + 1);
                }
                result.put(key, new ChildRows(own.subList(0, Math.min(own.size(), query.first() + 1))));
            }
        });
        return result;
    }

    /** A Relay connection of rows fetched with {@code first + 1}; {@code scope} names the parent of a child list. */
    private DataFetcherResult<Map<String, Object>> connection(
            ObjectApi api,
            PageQuery query,
            List<ObjectNode> rows,
            ReadContext context,
            boolean reject,
            DataFetchingEnvironment env,
            String scope) {
        boolean hasNext = rows.size() > query.first();
        List<ObjectNode> pageRows = hasNext ? rows.subList(0, query.first()) : rows;
        List<Map<String, Object>> edges = new ArrayList<>();
        int rejected = 0;
        for (ObjectNode row : pageRows) {
            Map<String, Object> node = views.typed(api.fields(), row, context.maxStaleness());
            if (reject && RecordViews.isStale(node)) {
                rejected++;
                continue;
            }
            edges.add(Map.of("node", node, "cursor", query.ordering().cursor(row)));
        }
        Map<String, Object> pageInfo = new LinkedHashMap<>();
        pageInfo.put("hasNextPage", hasNext);
        pageInfo.put(
                "endCursor", pageRows.isEmpty() ? null : query.ordering().cursor(pageRows.get(pageRows.size() - 1)));
        Map<String, Object> connection = new LinkedHashMap<>();
        connection.put("edges", edges);
        connection.put("pageInfo", pageInfo);
        // Counting scans the filter's matches: only when asked for (for a child list, one count per parent).
        connection.put(
                "totalCount",
                env.getSelectionSet().contains("totalCount")
                        ? repository.count(api.contract(), query.filterOnly(), query.filterParameters())
                        : 0);
        var result = DataFetcherResult.<Map<String, Object>>newResult()
                .data(connection)
                .localContext(context);
        if (rejected > 0) {
            result.error(stale(env, rejected));
        }
        return result.build();
    }

    private static ReadContext inherited(DataFetchingEnvironment env) {
        return env.getLocalContext() instanceof ReadContext context ? context : new ReadContext(null);
    }

    private static boolean rejectsStale(DataFetchingEnvironment env) {
        Object onStale = env.getArgument("onStale");
        return "REJECT".equals(String.valueOf(onStale));
    }

    private int pageSize(Integer requested) {
        int first = requested == null ? limits.getDefaultPageSize() : requested;
        if (first < 1 || first > limits.getMaxPageSize()) {
            throw new InvalidQueryException(
                    "first must be between 1 and " + limits.getMaxPageSize() + ", got " + first);
        }
        return first;
    }

    private static graphql.GraphQLError stale(DataFetchingEnvironment env, int count) {
        return GraphqlErrorBuilder.newError(env)
                .errorType(ErrorType.BAD_REQUEST)
                .message(count + " record(s) older than maxStaleness (" + env.getArgument("maxStaleness")
                        + " s) left out (onStale: REJECT)")
                .extensions(Map.of("code", "STALE"))
                .build();
    }
}
