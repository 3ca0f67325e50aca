package io.sfcache.standin.salesforce;

import java.time.Instant;

/**
 * A describe request the stand-in answered.
 *
 * @param ifModifiedSince the request's {@code If-Modified-Since}, or null
 * @param status          200 (describe sent), 304 (not modified since) or an error status
 */
public record DescribeRequest(String sobject, String ifModifiedSince, int status, Instant at) {}
