package io.sfcache.hawtio;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.security.SecurityConfiguration;
import io.sfcache.security.SecurityProperties;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.OidcUserAuthority;

/**
 * Hawtio's OIDC sign-in grants OPS from the ID token's roles claim, as the GraphQL API does from access tokens. The
 * sign-in itself, through the identity provider stand-in, is in HawtioAccessTest (HTTP) and HawtioBrowserTest (Chromium).
 */
class OpsRoleFromIdTokenTest {

    private final SecurityProperties security = new SecurityProperties();

    private static OidcUserAuthority signedIn(Map<String, Object> claims) {
        OidcIdToken token = new OidcIdToken(
                "id-token",
                Instant.now(),
                Instant.now().plusSeconds(300),
                Map.of(
                        "sub",
                        "person-1",
                        "iss",
                        "https://issuer.example",
                        "roles",
                        claims.getOrDefault("roles", List.of())));
        return new OidcUserAuthority(token);
    }

    @Test
    void theOpsRoleInTheIdTokenOpensHawtio() {
        assertThat(HawtioSecurityConfiguration.opsRoleFromIdToken(
                        List.of(signedIn(Map.of("roles", List.of("sfcache.ops")))), security))
                .extracting(GrantedAuthority::getAuthority)
                .containsExactly(SecurityConfiguration.OPS);
    }

    @Test
    void readersAndPeopleWithoutRolesGetNothing() {
        assertThat(HawtioSecurityConfiguration.opsRoleFromIdToken(
                        List.of(signedIn(Map.of("roles", List.of("sfcache.reader")))), security))
                .isEmpty();
        assertThat(HawtioSecurityConfiguration.opsRoleFromIdToken(List.of(signedIn(Map.of())), security))
                .isEmpty();
        // Authorities Spring adds on its own (scopes) grant nothing either.
        assertThat(HawtioSecurityConfiguration.opsRoleFromIdToken(
                        List.of(new SimpleGrantedAuthority("SCOPE_openid")), security))
                .isEmpty();
    }
}
