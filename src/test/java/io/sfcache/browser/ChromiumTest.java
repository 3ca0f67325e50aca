package io.sfcache.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The browser-test plumbing itself, on a loopback page: requests off the machine are cut and counted, failures show. */
class ChromiumTest {

    /** A host that cannot exist (RFC 2606): if blocking ever broke, the browser would find nothing there. */
    private static final String EXTERNAL_IMAGE = "https://cdn.example.invalid/logo.png";

    private HttpServer server;
    private String base;

    @BeforeEach
    void serveALocalPage() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        serve("/", "text/html", """
                <!DOCTYPE html><html><head><title>Local page</title></head><body>
                <img src="%s" alt="">
                <p id="out">waiting</p>
                <script src="/local.js"></script>
                </body></html>""".formatted(EXTERNAL_IMAGE));
        serve("/local.js", "text/javascript", """
                document.getElementById('out').textContent = 'local script ran';
                document.getElementById('out').id = 'ready';""");
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void requestsLeavingTheMachineAreBlockedAndReportedWhileLoopbackWorks() {
        JsonNode result = Chromium.require()
                .script("open-page.js")
                .env("URL", base + "/")
                .env("WAIT_FOR", "#ready")
                .screenshot("ChromiumTest-local-page")
                .run();

        assertThat(result.path("title").asText()).isEqualTo("Local page");
        assertThat(result.path("text").asText()).contains("local script ran");
        assertThat(result.path("blocked")).extracting(JsonNode::asText).containsExactly(EXTERNAL_IMAGE);
        assertThat(Path.of(result.path("screenshot").asText())).isNotEmptyFile();
    }

    @Test
    void aScriptThatFailsFailsTheTestWithItsErrorAndScreenshot() {
        Chromium.Script neverThere = Chromium.require()
                .script("open-page.js")
                .env("URL", base + "/")
                .env("WAIT_FOR", "#never-appears")
                .env("STEP_TIMEOUT_MS", "1000")
                .screenshot("ChromiumTest-failure");

        assertThatThrownBy(neverThere::run)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("open-page.js failed")
                .hasMessageContaining("#never-appears")
                .hasMessageContaining("ChromiumTest-failure.png");
    }

    private void serve(String path, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        server.createContext(path, exchange -> {
            try (exchange) {
                if (!exchange.getRequestURI().getPath().equals(path)) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", contentType + "; charset=utf-8");
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
    }
}
