package io.sfcache.standin.identity;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/** Holds an RSA key and signs RS256 access tokens with it; the key's public half is what the JWKS publishes. */
final class TokenMinter {

    /** What goes into one token; tests bend single fields to make bad tokens. */
    record Claims(String issuer, String audience, String subject, String rolesClaim, List<String> roles,
                  Instant issuedAt, Instant expiresAt) {
    }

    private final RSAKey key;

    private TokenMinter(RSAKey key) {
        this.key = key;
    }

    /** A minter with a fresh 2048-bit key (about 100 ms of CPU, so once per issuer, not per token). */
    static TokenMinter withNewKey() {
        try {
            return new TokenMinter(new RSAKeyGenerator(2048)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .keyID(UUID.randomUUID().toString())
                    .generate());
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate an RSA key", e);
        }
    }

    JWKSet publicKeys() {
        return new JWKSet(key.toPublicJWK());
    }

    String sign(Claims claims) {
        JWTClaimsSet set = new JWTClaimsSet.Builder()
                .issuer(claims.issuer())
                .audience(claims.audience())
                .subject(claims.subject())
                .claim(claims.rolesClaim(), claims.roles())
                .issueTime(Date.from(claims.issuedAt()))
                .notBeforeTime(Date.from(claims.issuedAt()))
                .expirationTime(Date.from(claims.expiresAt()))
                .jwtID(UUID.randomUUID().toString())
                .build();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID(key.getKeyID())
                .type(JOSEObjectType.JWT)
                .build();
        SignedJWT jwt = new SignedJWT(header, set);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return jwt.serialize();
    }
}
