package io.sfcache.standin.identity;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * A person who signs in at the identity provider's login form (authorization code flow), with the app roles their ID
 * token carries. Passwords are drawn per JVM, like the clients' secrets.
 */
public record LocalUser(String name, String password, List<String> roles) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public LocalUser {
        roles = List.copyOf(roles);
    }

    static LocalUser withRandomPassword(String name, List<String> roles) {
        byte[] password = new byte[12];
        RANDOM.nextBytes(password);
        return new LocalUser(name, Base64.getUrlEncoder().withoutPadding().encodeToString(password), roles);
    }
}
