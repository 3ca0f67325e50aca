package io.sfcache.routes;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * {@code sfcache.routes.*}. Read early by {@link RouteSourcesEnvironmentPostProcessor} (routes are located before
 * beans exist); bound here so the setting is documented and typed like every other.
 */
@Validated
@ConfigurationProperties("sfcache.routes")
public class RoutesProperties {

    /** Optional directory of {@code *.camel.yaml} files, loaded after the built-in routes and reloaded live. */
    private String directory;

    public String getDirectory() {
        return directory;
    }

    public void setDirectory(String directory) {
        this.directory = directory;
    }
}
