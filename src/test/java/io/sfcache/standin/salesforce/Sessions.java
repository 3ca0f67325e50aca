package io.sfcache.standin.salesforce;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The org's sessions: access tokens handed out by the token endpoint and which of them are still good. Tokens look
 * like Salesforce's ({@code <15-char org id>!<random>}); several may be valid at once, as in Salesforce.
 */
final class Sessions {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String orgId;
    private final Set<String> valid = ConcurrentHashMap.newKeySet();
    private final AtomicInteger logins = new AtomicInteger();
    private final AtomicInteger rejectedLogins = new AtomicInteger();
    private final AtomicInteger revocations = new AtomicInteger();
    private volatile boolean failLogins;

    Sessions(String orgId) {
        this.orgId = orgId;
    }

    String open() {
        byte[] random = new byte[48];
        RANDOM.nextBytes(random);
        String token = orgId.substring(0, 15) + "!"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        valid.add(token);
        logins.incrementAndGet();
        return token;
    }

    boolean isValid(String token) {
        return token != null && valid.contains(token);
    }

    boolean revoke(String token) {
        boolean known = valid.remove(token);
        if (known) {
            revocations.incrementAndGet();
        }
        return known;
    }

    /** Every token handed out so far stops working (as when sessions time out or an admin ends them). */
    void expireAll() {
        valid.clear();
    }

    void failLogins(boolean fail) {
        this.failLogins = fail;
    }

    boolean loginsFail() {
        return failLogins;
    }

    void loginRejected() {
        rejectedLogins.incrementAndGet();
    }

    int logins() {
        return logins.get();
    }

    int rejectedLogins() {
        return rejectedLogins.get();
    }

    int revocations() {
        return revocations.get();
    }
}
