package io.sfcache.hawtio;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.StringUtils;
import org.springframework.validation.annotation.Validated;

/**
 * {@code sfcache.hawtio.*}: who may open the Camel console at {@code /actuator/hawtio}. Only the ops role, signed in
 * with the identity provider apps use for GraphQL (OIDC; the local run uses its identity provider stand-in).
 */
@Validated
@ConfigurationProperties("sfcache.hawtio")
public class HawtioAccessProperties {

    /** Serve Hawtio (and Jolokia, which it talks to) at all. */
    private boolean enabled = true;

    private final Oidc oidc = new Oidc();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Oidc getOidc() {
        return oidc;
    }

    /** Sign-in with {@code sfcache.security.issuer-uri}: an app registration whose ID tokens carry the roles claim. */
    public static class Oidc {

        /** Client id of the web app registration (redirect URI {@code <base>/login/oauth2/code/sfcache}). Empty: off. */
        private String clientId;
        /** Its client secret (from a Kubernetes Secret, never a value in the chart). */
        private String clientSecret;

        public boolean isConfigured() {
            return StringUtils.hasText(clientId);
        }

        public String getClientId() {
            return clientId;
        }

        public void setClientId(String clientId) {
            this.clientId = clientId;
        }

        public String getClientSecret() {
            return clientSecret;
        }

        public void setClientSecret(String clientSecret) {
            this.clientSecret = clientSecret;
        }
    }
}
