package io.sfcache.graphql;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** {@code sfcache.graphql.*}: limits that keep one reader from hurting the others. */
@Validated
@ConfigurationProperties("sfcache.graphql")
public class GraphqlProperties {

    /** Records per page when a list query does not say. */
    @Min(1)
    @Max(1000)
    private int defaultPageSize = 20;

    /** Largest page a list query may ask for; more is an error, not a silent cut. */
    @Min(1)
    @Max(1000)
    private int maxPageSize = 100;

    /** Deepest nesting of fields a query may have. */
    @Min(2)
    @Max(50)
    private int maxDepth = 10;

    /** Upper bound of a query's cost: each field costs 1, list fields times their page size. */
    @Min(10)
    private int maxComplexity = 5000;

    /**
     * Rows one batched read of children may return (e.g. the contacts of a page of accounts, read with one Cosmos
     * query). Parents whose children did not fit are then read one query each, so a parent with thousands of
     * children costs its own request instead of an unbounded one.
     */
    @Min(10)
    private int relatedRowsPerRequest = 1000;

    /** A query still running after this is cancelled. */
    @NotNull
    private Duration requestTimeout = Duration.ofSeconds(10);

    public int getRelatedRowsPerRequest() {
        return relatedRowsPerRequest;
    }

    public void setRelatedRowsPerRequest(int relatedRowsPerRequest) {
        this.relatedRowsPerRequest = relatedRowsPerRequest;
    }

    public int getDefaultPageSize() {
        return defaultPageSize;
    }

    public void setDefaultPageSize(int defaultPageSize) {
        this.defaultPageSize = defaultPageSize;
    }

    public int getMaxPageSize() {
        return maxPageSize;
    }

    public void setMaxPageSize(int maxPageSize) {
        this.maxPageSize = maxPageSize;
    }

    public int getMaxDepth() {
        return maxDepth;
    }

    public void setMaxDepth(int maxDepth) {
        this.maxDepth = maxDepth;
    }

    public int getMaxComplexity() {
        return maxComplexity;
    }

    public void setMaxComplexity(int maxComplexity) {
        this.maxComplexity = maxComplexity;
    }

    public Duration getRequestTimeout() {
        return requestTimeout;
    }

    public void setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }
}
