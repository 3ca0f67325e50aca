package io.sfcache.standin.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * The identity provider's RSA keys, newest first. Tokens are signed with the newest; the JWKS publishes the last few,
 * so a token signed before a {@link #rotate()} stays valid until it expires, as with Entra ID, which keeps a retired
 * key listed for a while.
 */
final class SigningKeys {

    /** The signing key and the two before it. */
    private static final int PUBLISHED = 3;

    private volatile List<RSAKey> keys = List.of(newKey());

    /** A new signing key; returns its key id (the {@code kid} of every token signed from now on). */
    synchronized String rotate() {
        List<RSAKey> rotated = new ArrayList<>(keys);
        rotated.add(0, newKey());
        keys = List.copyOf(rotated.subList(0, Math.min(PUBLISHED, rotated.size())));
        return keys.get(0).getKeyID();
    }

    String currentKeyId() {
        return keys.get(0).getKeyID();
    }

    /** What the JWKS endpoint serves (the public halves: Nimbus drops private parts when it writes a JWK set). */
    JWKSource<SecurityContext> published() {
        return (selector, context) -> selector.select(new JWKSet(List.copyOf(keys)));
    }

    /**
     * Signs with the newest key only: Spring's encoder refuses to choose between several keys of one algorithm, and
     * adds the key id to every token's header.
     */
    JwtEncoder encoder() {
        return new NimbusJwtEncoder((selector, context) -> selector.select(new JWKSet(keys.get(0))));
    }

    /** An encoder with a key nobody ever published: for forged tokens. */
    static JwtEncoder throwawayEncoder() {
        JWKSet key = new JWKSet(newKey());
        return new NimbusJwtEncoder((selector, context) -> selector.select(key));
    }

    /** A fresh 2048-bit key (about 100 ms of CPU, so per rotation, not per token). */
    private static RSAKey newKey() {
        try {
            return new RSAKeyGenerator(2048)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .keyID(UUID.randomUUID().toString())
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate an RSA key", e);
        }
    }
}
