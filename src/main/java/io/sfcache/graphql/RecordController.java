package io.sfcache.graphql;

import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetchingEnvironment;
import java.util.Map;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/**
 * The one record query not derived per object: any monitored object by API name, fields as stored. The typed
 * queries of each object are wired from its contract by {@link RecordWiring}.
 */
@Controller
public class RecordController {

    private final RecordReader reader;

    public RecordController(RecordReader reader) {
        this.reader = reader;
    }

    @QueryMapping
    public DataFetcherResult<Map<String, Object>> record(
            @Argument String sobject, @Argument String id, DataFetchingEnvironment env) {
        return reader.generic(sobject, id, env);
    }
}
