package io.sfcache.hawtio;

import io.sfcache.standin.identity.BrowserSession;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/** A browser-like HTTP session (cookies, redirects one hop at a time) against sfcache's Hawtio and its sign-in. */
final class HawtioSession {

    private final String base;
    private final BrowserSession browser = new BrowserSession();

    HawtioSession(String base) {
        this.base = base;
    }

    HttpResponse<String> get(String path) {
        return browser.get(base + path);
    }

    /** Opens the console, follows it to the identity provider's login form, signs in, and follows it back. */
    List<HttpResponse<String>> signIn(String user, String password) {
        return browser.signIn(base + "/actuator/hawtio/", user, password);
    }

    /** A Jolokia request as Hawtio sends it: JSON POST with the XSRF cookie echoed as a header. */
    HttpResponse<String> jolokia(String json, boolean withCsrfHeader) {
        HttpRequest.Builder request = HttpRequest.newBuilder(java.net.URI.create(base + "/actuator/jolokia"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (withCsrfHeader) {
            request.header(
                    "X-XSRF-TOKEN",
                    browser.cookie("XSRF-TOKEN").orElseThrow(() -> new AssertionError("no XSRF-TOKEN cookie")));
        }
        return browser.send(request);
    }
}
