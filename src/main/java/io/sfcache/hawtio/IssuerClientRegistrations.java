package io.sfcache.hawtio;

import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;

/**
 * The one OIDC client Hawtio signs in with (authorization code with PKCE), read from the issuer's discovery document
 * on first use (like the JWT decoder), so start-up does not depend on the identity provider being reachable.
 */
class IssuerClientRegistrations implements ClientRegistrationRepository {

    static final String REGISTRATION_ID = "sfcache";

    private final String issuerUri;
    private final HawtioAccessProperties.Oidc oidc;
    private volatile ClientRegistration registration;

    IssuerClientRegistrations(String issuerUri, HawtioAccessProperties.Oidc oidc) {
        this.issuerUri = issuerUri;
        this.oidc = oidc;
    }

    @Override
    public ClientRegistration findByRegistrationId(String registrationId) {
        if (!REGISTRATION_ID.equals(registrationId)) {
            return null;
        }
        ClientRegistration current = registration;
        if (current == null) {
            synchronized (this) {
                if (registration == null) {
                    registration = ClientRegistrations.fromIssuerLocation(issuerUri)
                            .registrationId(REGISTRATION_ID)
                            .clientId(oidc.getClientId())
                            .clientSecret(oidc.getClientSecret())
                            .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                            .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                            .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
                            .scope("openid", "profile")
                            // PKCE although the client has a secret, as the OAuth 2.0 security BCP (RFC 9700) asks:
                            // a stolen authorization code is useless without the verifier. Entra ID accepts it.
                            .clientSettings(ClientRegistration.ClientSettings.builder().requireProofKey(true).build())
                            .build();
                }
                current = registration;
            }
        }
        return current;
    }
}
