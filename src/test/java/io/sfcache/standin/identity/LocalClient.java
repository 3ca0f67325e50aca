package io.sfcache.standin.identity;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * An OAuth 2.0 client the identity provider knows, with the app roles its client-credentials tokens carry (none for
 * the Hawtio web client, whose tokens speak for a person). Secrets are drawn per JVM: they only ever guard a loopback
 * port, and a fresh one each run keeps anyone from mistaking them for real ones.
 */
public record LocalClient(String id, String secret, List<String> roles) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public LocalClient {
        roles = List.copyOf(roles);
    }

    static LocalClient withRandomSecret(String id, List<String> roles) {
        byte[] secret = new byte[18];
        RANDOM.nextBytes(secret);
        return new LocalClient(id, Base64.getUrlEncoder().withoutPadding().encodeToString(secret), roles);
    }
}
