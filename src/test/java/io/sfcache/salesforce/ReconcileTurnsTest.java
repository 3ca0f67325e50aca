package io.sfcache.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** One reconciliation per object at a time, whoever starts it; other objects are not held up. */
class ReconcileTurnsTest {

    private final ReconcileTurns turns = turns();

    private static ReconcileTurns turns() {
        SalesforceProperties settings = new SalesforceProperties();
        settings.getReconcile().setMaxWait(Duration.ofMillis(200));
        return new ReconcileTurns(settings);
    }

    private static ReconcileQuery account() {
        return ReconcileQuery.since("Account", Instant.parse("2026-12-07T08:00:00Z"));
    }

    @Test
    void aSecondRunOfTheSameObjectWaitsAndFailsNamingTheSettingWhenTheFirstRunsTooLong() throws Exception {
        turns.begin(account());

        assertThatThrownBy(() -> turns.begin(account()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another reconciliation of Account")
                .hasMessageContaining("sfcache.salesforce.reconcile.max-wait");
        // Another object has its own turn.
        turns.begin(ReconcileQuery.since("Contact", Instant.parse("2026-12-07T08:00:00Z")));

        turns.end("Account");
        turns.begin(account());
    }

    @Test
    void theNextRunStartsAsSoonAsTheFirstEnds() throws Exception {
        turns.begin(account());
        Thread second = new Thread(() -> {
            try {
                turns.begin(account());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        second.start();
        turns.end("Account");
        second.join(Duration.ofSeconds(5).toMillis());

        assertThat(second.isAlive()).isFalse();
        assertThatThrownBy(() -> turns.begin(account())).as("the second run holds the turn now");
    }
}
