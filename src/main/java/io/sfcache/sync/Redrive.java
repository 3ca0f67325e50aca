package io.sfcache.sync;

import java.util.stream.Collectors;
import org.springframework.jmx.export.annotation.ManagedOperation;
import org.springframework.jmx.export.annotation.ManagedOperationParameter;
import org.springframework.jmx.export.annotation.ManagedResource;
import org.springframework.stereotype.Component;

/**
 * Redrive from Hawtio (JMX, io.sfcache:type=Redrive) and from the {@code redrive} route: each operation starts a
 * background job for its selection, or joins the one running for it, and answers at once with the job's id and
 * status; {@code job(id)} shows its progress. The work is {@link RedriveJobs}'.
 */
@Component("redrive")
@ManagedResource(objectName = "io.sfcache:type=Redrive", description = "Re-submit dead letters to the sync flow")
public class Redrive {

    private final RedriveJobs jobs;

    public Redrive(RedriveJobs jobs) {
        this.jobs = jobs;
    }

    @ManagedOperation(description = "Start (or join) a job redriving every open dead letter")
    public String redriveAll() {
        return jobs.start(DeadLetterStore.Filter.all()).toString();
    }

    @ManagedOperation(description = "Start (or join) a job redriving the open dead letters of one object, e.g. Account")
    @ManagedOperationParameter(name = "sobject", description = "Salesforce object API name")
    public String redriveObject(String sobject) {
        return jobs.start(DeadLetterStore.Filter.of(sobject, null, null)).toString();
    }

    @ManagedOperation(
            description = "Start (or join) a job redriving the open dead letters with one reason, "
                    + "e.g. CONTRACT_VIOLATION")
    @ManagedOperationParameter(name = "reason", description = "Reason code")
    public String redriveReason(String reason) {
        return jobs.start(DeadLetterStore.Filter.of(null, reason, null)).toString();
    }

    @ManagedOperation(description = "Start (or join) a job redriving one dead letter by its id")
    @ManagedOperationParameter(name = "id", description = "Dead letter id")
    public String redriveId(String id) {
        return jobs.start(DeadLetterStore.Filter.of(null, null, id)).toString();
    }

    @ManagedOperation(description = "A redrive job's progress or result")
    @ManagedOperationParameter(name = "jobId", description = "Job id, as the redrive operation answered")
    public String job(String jobId) {
        return jobs.find(jobId).map(Object::toString).orElse("no redrive job " + jobId);
    }

    @ManagedOperation(description = "Every replica's redrive jobs: running ones, then the finished ones kept")
    public String jobs() {
        return jobs.list().stream().map(Object::toString).collect(Collectors.joining("\n"));
    }

    @ManagedOperation(description = "Stop a running redrive job before its next dead letter")
    @ManagedOperationParameter(name = "jobId", description = "Job id")
    public String cancel(String jobId) {
        return jobs.cancel(jobId).map(Object::toString).orElse("no redrive job " + jobId);
    }

    /** Route entry: blank filter values match everything. The reply is the job started or joined. */
    public RedriveJob.Snapshot redrive(String sobject, String reason, String id) {
        return jobs.start(DeadLetterStore.Filter.of(sobject, reason, id));
    }
}
