package io.sfcache.standin.salesforce;

import java.time.Instant;
import java.util.List;

/**
 * A change event the stand-in published (and still retains), for assertions.
 *
 * @param replayId base64 of the replay id bytes, as camel-salesforce's {@code CamelSalesforcePubSubReplayId} header
 *        holds it
 * @param eventUuid the Pub/Sub event id ({@code CamelSalesforcePubSubEventId})
 * @param entity the object, e.g. {@code Account}
 * @param schemaId the Avro schema the payload was written with
 */
public record PublishedEvent(
        String replayId,
        String eventUuid,
        String entity,
        String changeType,
        List<String> recordIds,
        String schemaId,
        Instant commitTime) {}
