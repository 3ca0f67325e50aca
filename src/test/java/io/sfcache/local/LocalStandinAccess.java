package io.sfcache.local;

import com.azure.core.credential.TokenRequestContext;
import com.azure.messaging.servicebus.implementation.ServiceBusSharedKeyCredential;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.sfcache.fixtures.Json;
import io.sfcache.standin.cosmos.CosmosStandin;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The part of the local run's banner about the stand-ins themselves, so a newcomer can send their own message the way
 * the Apex publisher does and see what comes out: connection strings, the REST send endpoint with a ready SAS token
 * and a curl command, the Cosmos endpoint and key.
 */
final class LocalStandinAccess {

    /** As long as the tokens of {@link LocalAccess}: a working day. */
    static final Duration SAS_TTL = LocalAccess.TOKEN_TTL;

    private LocalStandinAccess() {}

    static String describe(AzureMessagingStandin messaging, CosmosStandin cosmos, String queue, String hub) {
        String send = messaging.rest().url() + "/" + queue + "/messages";
        return String.join(
                "\n",
                List.of(
                        " Stand-ins (send your own, watch what comes out):",
                        "   Service Bus   " + messaging.serviceBusConnectionString() + "   queue " + queue,
                        "   Event Hubs    " + messaging.eventHubsConnectionString() + "   hub " + hub,
                        "   Cosmos DB     " + cosmos.endpoint() + "   key " + cosmos.key()
                                + "   (self-signed TLS; gateway mode, no endpoint discovery)",
                        "   REST send     POST " + send + "   (how the Apex publisher sends; SAS token valid "
                                + SAS_TTL.toHours() + " h):",
                        "   curl -sk -X POST '" + send + "' -H 'Content-Type: "
                                + PublisherWireFormat.load().contentType() + "' -H 'Authorization: "
                                + sasToken(messaging, queue) + "' -d '" + exampleBatch() + "'",
                        "   Watch events  " + watchCommand(messaging, hub)));
    }

    /** Prints sfcache's events as a consumer sees them (Azure's JavaScript Event Hubs SDK). */
    static String watchCommand(AzureMessagingStandin messaging, String hub) {
        return "node src/test/node/conformance/watch-events.mjs \"" + messaging.eventHubsConnectionString() + "\" "
                + hub;
    }

    /** A SAS token for the queue, minted by the Azure SDK's credential from the stand-in's key. */
    static String sasToken(AzureMessagingStandin messaging, String queue) {
        return new ServiceBusSharedKeyCredential(AzureMessagingStandin.KEY_NAME, AzureMessagingStandin.KEY, SAS_TTL)
                .getTokenSync(
                        new TokenRequestContext().addScopes(messaging.rest().url() + "/" + queue))
                .getToken();
    }

    /** A batch of one Account heartbeat, built like the publisher's (PublisherWireFormat). */
    static String exampleBatch() {
        String eventId = UUID.randomUUID().toString();
        String heartbeat = Json.MAPPER
                .createObjectNode()
                .put("schemaVersion", 1)
                .put("eventId", eventId)
                .put("sobject", "Account")
                .put("changeType", "HEARTBEAT")
                .put("commitTime", Instant.now().toString())
                .set(
                        "heartbeat",
                        Json.MAPPER
                                .createObjectNode()
                                .put("sentSincePrevious", 0)
                                .putNull("previousHeartbeatTime"))
                .toString();
        ArrayNode batch = Json.MAPPER.createArrayNode();
        batch.add(PublisherWireFormat.load().entry(eventId, heartbeat));
        return batch.toString();
    }
}
