package io.sfcache.bench;

import com.azure.messaging.servicebus.ServiceBusMessage;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.InvalidChangeMessage;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.fixtures.Violation;
import java.util.ArrayList;
import java.util.List;

/**
 * The backlog an outage leaves on the queue: Accounts, Contacts and Opportunities in turn, mostly creates, a quarter
 * updates of records created earlier in the backlog (so the order guard sees records it has and, with concurrent
 * consumers, updates overtaking their create), and {@code invalidPercent} per cent invalid in every way the contract
 * tests know. Seeded: the same seed gives the same messages, with fresh ids per seed.
 */
record Backlog(List<ServiceBusMessage> messages, List<String> bodies, int invalid, int updates) {

    static Backlog generate(long seed, int count, int invalidPercent) {
        ChangeMessages changes = ChangeMessages.seeded(seed);
        Violation[] violations = Violation.values();
        List<SalesforceRecord> created = new ArrayList<>();
        List<ServiceBusMessage> messages = new ArrayList<>(count);
        List<String> bodies = new ArrayList<>(count);
        int invalid = 0;
        int updates = 0;
        for (int i = 0; i < count; i++) {
            if (invalidPercent > 0 && i % 100 < invalidPercent) {
                InvalidChangeMessage bad = changes.invalid().of(violations[invalid % violations.length]);
                invalid++;
                bodies.add(bad.body());
                messages.add(new ServiceBusMessage(bad.body())
                        .setMessageId(bad.messageId())
                        .setContentType("application/json"));
                continue;
            }
            ChangeMessageBuilder change;
            if (i % 4 == 3 && !created.isEmpty()) {
                change = created.get((int) ((i * 7919L) % created.size())).update();
                updates++;
            } else {
                SalesforceRecord record = switch (i % 3) {
                    case 0 -> changes.account();
                    case 1 -> changes.contact();
                    default -> changes.opportunity();
                };
                created.add(record);
                change = record.create();
            }
            String body = change.toJson();
            bodies.add(body);
            messages.add(
                    new ServiceBusMessage(body).setMessageId(change.eventId()).setContentType("application/json"));
        }
        return new Backlog(messages, bodies, invalid, updates);
    }
}
