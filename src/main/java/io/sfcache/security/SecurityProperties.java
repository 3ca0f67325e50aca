package io.sfcache.security;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * {@code sfcache.security.*}: who may read. Applications call the GraphQL API with an OAuth 2.0 access token (a JWT,
 * e.g. from Entra ID); its roles claim says whether they may read data, or also operate sfcache. There is no switch
 * that turns authentication off.
 */
@Validated
@ConfigurationProperties("sfcache.security")
public class SecurityProperties {

    /** Issuer of the access tokens, e.g. https://login.microsoftonline.com/{tenant}/v2.0 (discovery is read from it). */
    @NotBlank(
            message = "is missing: set sfcache.security.issuer-uri to your identity provider's issuer, "
                    + "e.g. https://login.microsoftonline.com/<tenant-id>/v2.0")
    private String issuerUri;

    /** The audience tokens must be issued for: sfcache's application id URI or client id. */
    @NotBlank(
            message = "is missing: set sfcache.security.audience to the audience sfcache's tokens are issued for, "
                    + "e.g. api://sfcache")
    private String audience;

    /** Claim holding the caller's roles (Entra ID app roles: "roles"). */
    @NotBlank
    private String rolesClaim = "roles";

    /** Role that may read cached records. */
    @NotBlank
    private String readerRole = "sfcache.reader";

    /** Role that may also see sync status and dead letters, redrive, and open Hawtio. */
    @NotBlank
    private String opsRole = "sfcache.ops";

    public String getIssuerUri() {
        return issuerUri;
    }

    public void setIssuerUri(String issuerUri) {
        this.issuerUri = issuerUri;
    }

    public String getAudience() {
        return audience;
    }

    public void setAudience(String audience) {
        this.audience = audience;
    }

    public String getRolesClaim() {
        return rolesClaim;
    }

    public void setRolesClaim(String rolesClaim) {
        this.rolesClaim = rolesClaim;
    }

    public String getReaderRole() {
        return readerRole;
    }

    public void setReaderRole(String readerRole) {
        this.readerRole = readerRole;
    }

    public String getOpsRole() {
        return opsRole;
    }

    public void setOpsRole(String opsRole) {
        this.opsRole = opsRole;
    }
}
