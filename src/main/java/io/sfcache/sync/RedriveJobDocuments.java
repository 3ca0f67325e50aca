package io.sfcache.sync;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Redrive jobs as every replica sees them: the replica running a job writes its progress to sync-state
 * ({@code redrive-job-<id>}), so {@code redriveJob} and {@code redriveJobs} answer the same behind a load balancer
 * and after a restart. A cancel asked of another replica is a document of its own ({@code redrive-cancel-<id>}), read
 * by the running replica when it next writes, so the two never write the same document.
 */
@Component
public class RedriveJobDocuments {

    static final String KIND = "redrive-job";
    private static final String JOB_PREFIX = "redrive-job-";
    private static final String CANCEL_PREFIX = "redrive-cancel-";

    /**
     * A job as last written.
     *
     * @param replica   the replica running it
     * @param writtenAt when that replica last wrote it
     */
    record Shared(RedriveJob.Snapshot job, String replica, Instant writtenAt) {

        /**
         * The job as a reader should see it: one still RUNNING but not written for {@code stoppedAfter} lost its
         * replica (killed, or cut off from Cosmos), so it is FAILED, saying which and since when.
         */
        RedriveJob.Snapshot asSeenAt(Instant now, Duration stoppedAfter) {
            if (job.status() != RedriveJob.Status.RUNNING
                    || writtenAt.plus(stoppedAfter).isAfter(now)) {
                return job;
            }
            return new RedriveJob.Snapshot(
                    job.id(),
                    job.selection(),
                    RedriveJob.Status.FAILED,
                    job.matched(),
                    job.succeeded(),
                    job.failedAgain(),
                    job.failedTransiently(),
                    job.skipped(),
                    job.failures(),
                    "replica " + replica + " running it stopped reporting at " + writtenAt
                            + "; its open dead letters are still open: redrive them again",
                    job.startedAt(),
                    writtenAt);
        }
    }

    private final StateDocuments documents;
    private final ObjectMapper json;

    RedriveJobDocuments(StateDocuments documents, ObjectMapper json) {
        this.documents = documents;
        this.json = json;
    }

    public void write(RedriveJob.Snapshot job, String replica, Instant at) {
        ObjectNode document = json.createObjectNode();
        document.put("id", JOB_PREFIX + job.id());
        document.put("kind", KIND);
        document.put("replica", replica);
        document.put("writtenAt", at.toString());
        document.set("job", json.valueToTree(job));
        documents.upsert(document);
    }

    Optional<Shared> find(String id) {
        return documents.read(JOB_PREFIX + id).map(found -> shared(found.document()));
    }

    List<Shared> all() {
        return documents.ofKind(KIND).stream().map(this::shared).toList();
    }

    void requestCancel(String id) {
        ObjectNode document = json.createObjectNode();
        document.put("id", CANCEL_PREFIX + id);
        document.put("kind", "redrive-cancel");
        documents.upsert(document);
    }

    boolean cancelRequested(String id) {
        return documents.read(CANCEL_PREFIX + id).isPresent();
    }

    void delete(String id) {
        documents.delete(JOB_PREFIX + id);
        documents.delete(CANCEL_PREFIX + id);
    }

    private Shared shared(ObjectNode document) {
        try {
            return new Shared(
                    json.treeToValue(document.get("job"), RedriveJob.Snapshot.class),
                    document.path("replica").asText(),
                    Instant.parse(document.path("writtenAt").asText()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Unreadable redrive job document " + document.path("id"), e);
        }
    }
}
