package io.sfcache.standin.salesforce;

import java.time.Instant;

/**
 * The first {@code FetchRequest} of a {@code Subscribe} stream as the stand-in received it: what a test asserts to
 * show a client resumed from the replay id it stored.
 *
 * @param topic e.g. {@code /data/AccountChangeEvent}
 * @param replayPreset {@code LATEST}, {@code EARLIEST} or {@code CUSTOM}
 * @param replayId base64 of the replay id bytes (as camel-salesforce's {@code CamelSalesforcePubSubReplayId} header
 *        holds it), or null when the request carried none
 * @param numRequested events the client asked for in that request
 * @param accepted false when the stand-in refused the subscription (unknown topic, corrupted replay id)
 */
public record ReceivedSubscription(
        String topic, String replayPreset, String replayId, int numRequested, Instant receivedAt, boolean accepted) {}
