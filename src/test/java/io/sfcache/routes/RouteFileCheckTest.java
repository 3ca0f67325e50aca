package io.sfcache.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The check on its own, for what the live directory test does not cover: placeholders in templates and fields. */
class RouteFileCheckTest {

    private DefaultCamelContext camel;
    private RouteFileCheck check;

    @BeforeEach
    void start() {
        camel = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.setProperty("flag", "false");
        camel.getPropertiesComponent().setInitialProperties(properties);
        camel.start();
        check = new RouteFileCheck(camel);
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void aPlaceholderMayStandForABooleanField() {
        assertThat(check.check("a.camel.yaml", """
                - route:
                    id: a
                    autoStartup: "{{flag}}"
                    from:
                      uri: direct:a
                      steps:
                        - log: hello
                """)).isEmpty();
    }

    @Test
    void aTemplateParameterIsNotAMissingProperty() {
        String template = """
                - routeTemplate:
                    id: t
                    parameters:
                      - name: name
                    route:
                      from:
                        uri: "direct:{{name}}"
                        steps:
                          - log: "{{%s}}"
                """;
        assertThat(check.check("t.camel.yaml", template.formatted("name"))).isEmpty();
        assertThat(check.check("t.camel.yaml", template.formatted("undeclared")))
                .singleElement()
                .satisfies(problem -> {
                    assertThat(problem.line()).isEqualTo(9);
                    assertThat(problem.reason()).contains("{{undeclared}}", "does not resolve");
                });
    }

    @Test
    void aMisspelledKeyIsNamedWithItsLine() {
        assertThat(check.check("a.camel.yaml", """
                - route:
                    id: a
                    from:
                      uri: direct:a
                      steps:
                        - lgo: hello
                """)).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(6);
            assertThat(problem.reason()).contains("Camel's YAML DSL schema", "lgo");
        });
    }
}
