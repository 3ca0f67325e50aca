package io.sfcache.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.sync.PipelineHarness;
import io.sfcache.sync.SyncProperties;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * Redrive at a rate far below what the sync flow manages even on a busy build machine, so the limiter, not the flow,
 * sets the pace: a job stays RUNNING long enough to be joined, and its own start and end times show the bound.
 */
@SfcacheIntegrationTest
// Its own queue, so this context does not compete for the shared context's messages; no MBeans to collide with it.
// CDC off: the shared context is the JVM's one Change Data Capture subscriber; a second contends for its lock.
@TestPropertySource(
        properties = {
            "sfcache.salesforce.cdc.mode=OFF",
            "sfcache.sync.redrive.rate-per-second=2",
            "sfcache.servicebus.queue=redrive-rate-test",
            "spring.jmx.enabled=false"
        })
class RedriveRateTest {

    @Autowired
    PipelineHarness pipeline;

    @Autowired
    SyncProperties sync;

    @LocalServerPort
    int port;

    @Test
    void aSecondRequestJoinsTheRunningJobAndLettersGoNoFasterThanTheRate() {
        int letters = 10;
        int rate = sync.getRedrive().getRatePerSecond();
        RedriveApi api = new RedriveApi(pipeline, port);
        String sobject = api.deadLetters(letters);

        Map<String, Object> started = api.redrive(sobject);
        Map<String, Object> again = api.redrive(sobject);
        assertThat(again.get("id"))
                .as("the same selection while it runs joins it")
                .isEqualTo(started.get("id"));
        assertThat(again.get("status")).isEqualTo("RUNNING");

        Map<String, Object> done = api.awaitStatus(started.get("id"), "DONE");
        assertThat(done)
                .containsEntry("matched", letters)
                .containsEntry("processed", letters)
                .containsEntry("failedAgain", letters);
        // n letters at r a second need at least (n - 2) / r seconds: one permit per 1/r s, and the first two may fall
        // at the end of one period and the start of the next. Unpaced, these 10 take about a second here.
        Duration took =
                Duration.between(OffsetDateTime.parse((String) done.get("startedAt")), OffsetDateTime.parse((String)
                        done.get("finishedAt")));
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis((letters - 2) * 1000L / rate));
    }
}
