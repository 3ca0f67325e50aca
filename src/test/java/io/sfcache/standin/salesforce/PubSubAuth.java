package io.sfcache.standin.salesforce;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.function.Supplier;

/**
 * Checks the Pub/Sub API's session headers on every call: {@code accesstoken} must be a live session,
 * {@code instanceurl} the stand-in's URL and {@code tenantid} the org id (18 characters, as camel-salesforce takes it
 * from the token reply's {@code id}). Otherwise the call ends {@code UNAUTHENTICATED} with the trailer
 * {@code error-code: sfdc.platform.eventbus.grpc.service.auth.error}, on which clients log in again.
 */
final class PubSubAuth implements ServerInterceptor {

    static final String AUTH_ERROR = "sfdc.platform.eventbus.grpc.service.auth.error";
    private static final Metadata.Key<String> ACCESS_TOKEN = key("accesstoken");
    private static final Metadata.Key<String> INSTANCE_URL = key("instanceurl");
    private static final Metadata.Key<String> TENANT_ID = key("tenantid");

    private final Sessions sessions;
    private final String orgId;
    private final Supplier<String> instanceUrl;

    PubSubAuth(Sessions sessions, String orgId, Supplier<String> instanceUrl) {
        this.sessions = sessions;
        this.orgId = orgId;
        this.instanceUrl = instanceUrl;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String problem = problem(headers);
        if (problem != null) {
            Metadata trailers = new Metadata();
            trailers.put(Subscription.ERROR_CODE, AUTH_ERROR);
            call.close(Status.UNAUTHENTICATED.withDescription(problem), trailers);
            return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
    }

    private String problem(Metadata headers) {
        if (!sessions.isValid(headers.get(ACCESS_TOKEN))) {
            return "accesstoken is missing, expired or invalid";
        }
        String instance = headers.get(INSTANCE_URL);
        if (instance == null || !instance.replaceAll("/$", "").equals(instanceUrl.get())) {
            return "instanceurl " + instance + " is not this org's";
        }
        if (!orgId.equals(headers.get(TENANT_ID))) {
            return "tenantid " + headers.get(TENANT_ID) + " is not this org's";
        }
        return null;
    }

    private static Metadata.Key<String> key(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }
}
