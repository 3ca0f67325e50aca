package io.sfcache.standin.messaging;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks Service Bus shared access signatures (the REST endpoint's authorization), as documented in "Service Bus access control with Shared Access Signatures"
 * (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-sas#generate-a-shared-access-signature-token):
 * {@code SharedAccessSignature sr=<url-encoded resource URI>&sig=<url-encoded base64 HMAC-SHA256>&se=<expiry, unix
 * seconds>&skn=<key name>}, signed over {@code <url-encoded resource URI> + "\n" + <expiry>} with the key's UTF-8
 * bytes. A token for a namespace or a path covers everything under it. Clients mint them with the Azure SDKs
 * (tests and the simulator use the Java SDK's credential, so this check is proven against code written elsewhere).
 */
public final class SharedAccessSignature {

    private static final String PREFIX = "SharedAccessSignature ";

    private SharedAccessSignature() {}

    /**
     * Why the token does not grant access to requestUri at now, or null when it does: signed with this key name and
     * key, not expired, and for a resource the request URI starts with.
     */
    static String refusal(String token, String requestUri, String keyName, String key, Instant now) {
        if (token == null || !token.startsWith(PREFIX)) {
            return "no SharedAccessSignature token";
        }
        Map<String, String> fields = new HashMap<>();
        for (String pair : token.substring(PREFIX.length()).split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                fields.put(pair.substring(0, equals), pair.substring(equals + 1));
            }
        }
        String resource = fields.get("sr");
        String signature = fields.get("sig");
        String expiry = fields.get("se");
        if (resource == null || signature == null || expiry == null || !fields.containsKey("skn")) {
            return "the token lacks one of sr, sig, se, skn";
        }
        if (!keyName.equals(decode(fields.get("skn")))) {
            return "unknown key name " + decode(fields.get("skn"));
        }
        byte[] expected = sign(key, resource + "\n" + expiry).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, decode(signature).getBytes(StandardCharsets.US_ASCII))) {
            return "the signature does not match";
        }
        if (!expiry.matches("\\d+")
                || Instant.ofEpochSecond(Long.parseLong(expiry)).isBefore(now)) {
            return "the token expired at " + expiry;
        }
        String audience = stripTrailingSlash(decode(resource));
        if (!stripTrailingSlash(requestUri)
                .toLowerCase(java.util.Locale.ROOT)
                .startsWith(audience.toLowerCase(java.util.Locale.ROOT))) {
            return "the token is for " + audience + ", not " + requestUri;
        }
        return null;
    }

    private static String sign(String key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    private static String stripTrailingSlash(String uri) {
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }
}
