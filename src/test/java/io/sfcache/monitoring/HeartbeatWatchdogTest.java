package io.sfcache.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sfcache.contracts.DataContracts;
import io.sfcache.fixtures.InMemoryAlarms;
import io.sfcache.fixtures.MovableClock;
import io.sfcache.sync.ObjectAlarms;
import io.sfcache.sync.PublisherStatus;
import io.sfcache.sync.RedriveJobs;
import io.sfcache.sync.SyncState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * When the heartbeat alarm goes off, on a clock the test moves: exactly once the last heartbeat (or start-up, when
 * none came) is older than sfcache.monitoring.heartbeat.missing-after, and off again when one arrives. The end-to-end
 * path (a real heartbeat through the queue, zero traffic, the gauge and health) is MonitoringFaultsTest's.
 */
class HeartbeatWatchdogTest {

    private static final Duration MISSING_AFTER = Duration.ofMinutes(15);
    private static final Instant START = Instant.parse("2026-12-07T08:00:00Z");

    private final MovableClock clock = new MovableClock(START);
    private final SyncState syncState = mock(SyncState.class);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ObjectAlarms alarms = InMemoryAlarms.of(
            new DataContracts(
                    List.of("Account"),
                    "classpath:contracts/objects/",
                    new DefaultResourceLoader(),
                    new ObjectMapper()),
            meters);
    private final HeartbeatWatchdog watchdog = watchdog();

    private HeartbeatWatchdog watchdog() {
        MonitoringProperties monitoring = new MonitoringProperties();
        monitoring.getHeartbeat().setMissingAfter(MISSING_AFTER);
        DataContracts contracts = new DataContracts(
                List.of("Account"), "classpath:contracts/objects/", new DefaultResourceLoader(), new ObjectMapper());
        when(syncState.readHeartbeat("Account")).thenReturn(Optional.empty());
        return new HeartbeatWatchdog(
                contracts,
                syncState,
                new LagRecorder(meters, clock),
                new AlarmRepairs(
                        alarms,
                        contracts,
                        new ReconciliationRuns(contracts, meters),
                        mock(RedriveJobs.class),
                        clock,
                        monitoring),
                meters,
                clock,
                monitoring);
    }

    private void heartbeatSentAt(Instant sentAt) {
        when(syncState.readHeartbeat("Account"))
                .thenReturn(Optional.of(new SyncState.Heartbeat(
                        "Account", sentAt, sentAt.plusSeconds(1), 0, PublisherStatus.UNKNOWN, null, List.of())));
    }

    private double missingGauge() {
        return meters.get("sfcache.heartbeat.missing")
                .tag("sobject", "Account")
                .gauge()
                .value();
    }

    @Test
    void noHeartbeatSinceStartUpIsMissingOnceTheWindowHasPassed() {
        clock.advance(MISSING_AFTER);
        watchdog.check();
        assertThat(watchdog.isMissing("Account")).as("at the window's end").isFalse();

        clock.advance(Duration.ofMillis(1));
        watchdog.check();
        assertThat(watchdog.isMissing("Account")).as("just after it").isTrue();
        assertThat(missingGauge()).isEqualTo(1.0);
    }

    @Test
    void aHeartbeatResetsTheWindowAndItsAbsenceRaisesTheAlarmAgain() {
        clock.advance(Duration.ofMinutes(5));
        Instant sentAt = clock.instant();
        heartbeatSentAt(sentAt);
        clock.advance(MISSING_AFTER.minusSeconds(1));
        watchdog.check();
        assertThat(watchdog.isMissing("Account")).isFalse();
        assertThat(meters.get("sfcache.heartbeat.age")
                        .tag("sobject", "Account")
                        .gauge()
                        .value())
                .isEqualTo(MISSING_AFTER.minusSeconds(1).toSeconds());

        clock.advance(Duration.ofSeconds(2));
        watchdog.check();
        assertThat(watchdog.isMissing("Account")).isTrue();

        heartbeatSentAt(clock.instant());
        watchdog.check();
        assertThat(watchdog.isMissing("Account"))
                .as("back with the next heartbeat")
                .isFalse();
        assertThat(missingGauge()).isZero();
    }

    @Test
    void aQuietObjectIsCurrentAsOfItsLastHeartbeat() {
        Instant sentAt = START.plusSeconds(30);
        heartbeatSentAt(sentAt);
        clock.advance(Duration.ofMinutes(2));
        watchdog.check();
        assertThat(watchdog.currentAsOf("Account")).contains(sentAt);
        assertThat(meters.get("sfcache.freshness.age")
                        .tag("sobject", "Account")
                        .gauge()
                        .value())
                .isEqualTo(90.0);
    }
}
