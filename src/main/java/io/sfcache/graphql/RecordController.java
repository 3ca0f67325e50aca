package io.sfcache.graphql;

import java.util.List;
import java.util.Map;

import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetchingEnvironment;

/** The record queries of the schema, each delegating to {@link RecordReader} with its object's name. */
@Controller
public class RecordController {

    private final RecordReader reader;

    public RecordController(RecordReader reader) {
        this.reader = reader;
    }

    @QueryMapping
    public DataFetcherResult<Map<String, Object>> account(@Argument String id, DataFetchingEnvironment env) {
        return reader.one("Account", id, env);
    }

    @QueryMapping
    public DataFetcherResult<Map<String, Object>> accounts(DataFetchingEnvironment env) {
        return reader.page("Account", env);
    }

    @QueryMapping
    public DataFetcherResult<Map<String, Object>> contact(@Argument String id, DataFetchingEnvironment env) {
        return reader.one("Contact", id, env);
    }

    @QueryMapping
    public DataFetcherResult<Map<String, Object>> contacts(DataFetchingEnvironment env) {
        return reader.page("Contact", env);
    }

    @QueryMapping
    public DataFetcherResult<Map<String, Object>> opportunity(@Argument String id, DataFetchingEnvironment env) {
        return reader.one("Opportunity", id, env);
    }

    @QueryMapping
    public DataFetcherResult<Map<String, Object>> opportunities(DataFetchingEnvironment env) {
        return reader.page("Opportunity", env);
    }

    @QueryMapping
    public DataFetcherResult<Map<String, Object>> record(@Argument String sobject, @Argument String id,
            DataFetchingEnvironment env) {
        return reader.generic(sobject, id, env);
    }

    // Lookups are resolved for a whole page at once: one Cosmos request per relation, not one per row.

    @BatchMapping(typeName = "Contact", field = "account")
    public Map<Map<String, Object>, Map<String, Object>> contactAccount(List<Map<String, Object>> contacts) {
        return reader.related(contacts, "accountId", "Account");
    }

    @BatchMapping(typeName = "Opportunity", field = "account")
    public Map<Map<String, Object>, Map<String, Object>> opportunityAccount(List<Map<String, Object>> opportunities) {
        return reader.related(opportunities, "accountId", "Account");
    }

    @BatchMapping(typeName = "Account", field = "parent")
    public Map<Map<String, Object>, Map<String, Object>> accountParent(List<Map<String, Object>> accounts) {
        return reader.related(accounts, "parentId", "Account");
    }
}
