package io.sfcache;

import io.sfcache.standin.LocalStandins;
import io.sfcache.sync.PipelineHarness;
import io.sfcache.tracing.RecordedSpans;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

/**
 * sfcache as deployed, on the local stand-ins, over real protocols. Contexts are cached across test classes with the
 * same configuration, and the stand-ins are shared per JVM.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
// Spring Boot turns JMX off in tests; sfcache's operations (redrive, Hawtio) rely on it.
@SpringBootTest(
        classes = SfcacheApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.jmx.enabled=true")
@ContextConfiguration(initializers = LocalStandins.class)
@ActiveProfiles("test")
// Spring Boot turns tracing and metrics export off in tests; sfcache's are part of what is tested (and
// /actuator/prometheus is what the chart's ServiceMonitor scrapes).
@AutoConfigureObservability
// Every integration test gets the harness, so they all share one cached context (one consumer, one MBean set).
@Import({PipelineHarness.class, RecordedSpans.class})
public @interface SfcacheIntegrationTest {}
