package io.sfcache;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import io.sfcache.graphql.PlaceholderSchema;
import io.sfcache.standin.LocalStandins;

/**
 * sfcache as deployed, on the local stand-ins, over real protocols. Contexts are cached across test classes with the
 * same configuration, and the stand-ins are shared per JVM.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
// Spring Boot turns JMX off in tests; sfcache's operations (redrive, Hawtio) rely on it.
// PlaceholderSchema: a /graphql to call until the real schema exists (it steps aside by itself then).
@SpringBootTest(classes = {SfcacheApplication.class, PlaceholderSchema.class}, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.jmx.enabled=true")
@ContextConfiguration(initializers = LocalStandins.class)
@ActiveProfiles("test")
public @interface SfcacheIntegrationTest {
}
