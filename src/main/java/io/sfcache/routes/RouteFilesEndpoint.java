package io.sfcache.routes;

import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/routefiles} (ops role): GET shows what became of each edit in the live-reload directory; POST
 * {@code {"name": "my-flow.camel.yaml", "content": "..."}} checks a route file against the running configuration
 * without deploying it, with the same check a live edit goes through:
 * <pre>
 * jq -Rs '{name: "my-flow.camel.yaml", content: .}' my-flow.camel.yaml \
 *   | curl -s -X POST http://localhost:8081/actuator/routefiles -H "Authorization: Bearer $TOKEN" \
 *          -H 'Content-Type: application/json' -d @-
 * </pre>
 */
@Endpoint(id = "routefiles")
public class RouteFilesEndpoint {

    private final RouteFileCheck check;
    private final RouteFiles files;

    public RouteFilesEndpoint(RouteFileCheck check, RouteFiles files) {
        this.check = check;
        this.files = files;
    }

    @ReadOperation
    public Map<String, RouteFiles.Status> files() {
        return files.statuses();
    }

    @WriteOperation
    public Map<String, Object> check(String name, String content) {
        List<RouteFileCheck.Problem> problems = check.check(name, content);
        return Map.of("name", name, "ok", problems.isEmpty(), "problems", problems);
    }
}
