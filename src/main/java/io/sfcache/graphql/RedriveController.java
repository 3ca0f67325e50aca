package io.sfcache.graphql;

import io.sfcache.sync.DeadLetterStore;
import io.sfcache.sync.RedriveJob;
import io.sfcache.sync.RedriveJobs;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;

/**
 * Redrive for operators: the mutation starts (or joins) a background job and answers at once, the queries show its
 * progress. Jobs are every replica's ({@link RedriveJobs}).
 */
@Controller
@PreAuthorize("hasAuthority('ROLE_OPS')")
public class RedriveController {

    private final RedriveJobs jobs;

    public RedriveController(RedriveJobs jobs) {
        this.jobs = jobs;
    }

    @MutationMapping
    public Map<String, Object> redrive(@Argument String sobject, @Argument String reason, @Argument String id) {
        try {
            return view(jobs.start(DeadLetterStore.Filter.of(sobject, reason, id)));
        } catch (RedriveJobs.TooManyJobsException e) {
            throw new InvalidQueryException(e.getMessage());
        }
    }

    @MutationMapping
    public Map<String, Object> cancelRedriveJob(@Argument String id) {
        return jobs.cancel(id).map(RedriveController::view).orElse(null);
    }

    @QueryMapping
    public Map<String, Object> redriveJob(@Argument String id) {
        return jobs.find(id).map(RedriveController::view).orElse(null);
    }

    @QueryMapping
    public List<Map<String, Object>> redriveJobs() {
        return jobs.list().stream().map(RedriveController::view).toList();
    }

    private static Map<String, Object> view(RedriveJob.Snapshot job) {
        // HashMap: the selection's members and error may be null.
        Map<String, Object> selection = new HashMap<>();
        selection.put("sobject", job.selection().sobject());
        selection.put("reason", job.selection().reason());
        selection.put("id", job.selection().id());
        Map<String, Object> view = new HashMap<>();
        view.put("id", job.id());
        view.put("selection", selection);
        view.put("status", job.status().name());
        view.put("matched", job.matched());
        view.put("processed", job.processed());
        view.put("succeeded", job.succeeded());
        view.put("failedAgain", job.failedAgain());
        view.put("failedTransiently", job.failedTransiently());
        view.put("skipped", job.skipped());
        view.put("failures", job.failures());
        view.put("error", job.error());
        view.put("startedAt", utc(job.startedAt()));
        view.put("finishedAt", utc(job.finishedAt()));
        return view;
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
