package io.sfcache.hawtio;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * {@code sfcache.hawtio.enabled=false} turns the console off for real: the {@code hawtio} and {@code jolokia} actuator
 * endpoints get no access at all (not exposed over HTTP or JMX), not only Hawtio's sign-in chain
 * ({@link HawtioSecurityConfiguration}) goes away. Done before the actuator reads its settings, at the lowest
 * precedence, so an explicit {@code management.endpoint.*.access} still wins.
 */
public class HawtioSwitch implements EnvironmentPostProcessor {

    static final String ENABLED = "sfcache.hawtio.enabled";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.getProperty(ENABLED, Boolean.class, true)) {
            environment
                    .getPropertySources()
                    .addLast(new MapPropertySource(
                            "sfcache-hawtio-off",
                            Map.of(
                                    "management.endpoint.hawtio.access", "none",
                                    "management.endpoint.jolokia.access", "none")));
        }
    }
}
