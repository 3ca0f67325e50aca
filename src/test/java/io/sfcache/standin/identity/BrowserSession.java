package io.sfcache.standin.identity;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser without a screen, for sign-in flows over plain HTTP: it keeps cookies (per host, ignoring ports, as
 * browsers do), follows redirects one hop at a time so a test can see each of them, and fills in a login form
 * (Spring Security's page, which both sfcache and the identity provider show) the way a person would.
 */
public final class BrowserSession {

    private static final Pattern CSRF_INPUT = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
    private static final int MAX_HOPS = 20;

    private final CookieManager cookies = new CookieManager();
    private final HttpClient client = HttpClient.newBuilder()
            .cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** One GET, no redirects followed. */
    public HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GETs the URL and every redirect after it; the responses in order, the last one not a redirect. */
    public List<HttpResponse<String>> follow(String url) {
        return followFrom(get(url));
    }

    /**
     * Opens the URL, follows the redirects to a login form, signs in there, and follows the redirects after it. Every
     * response in order: the login form's page, the form post's answer, and the last one, where the person lands.
     */
    public List<HttpResponse<String>> signIn(String url, String user, String password) {
        List<HttpResponse<String>> hops = follow(url);
        HttpResponse<String> form = hops.get(hops.size() - 1);
        Matcher csrf = CSRF_INPUT.matcher(form.body());
        if (form.statusCode() != 200 || !form.body().contains("name=\"username\"") || !csrf.find()) {
            throw new AssertionError("no login form at the end of " + uris(hops) + ": " + form.statusCode());
        }
        String fields =
                "username=" + encode(user) + "&password=" + encode(password) + "&_csrf=" + encode(csrf.group(1));
        // The form posts to /login on the server that showed it.
        HttpResponse<String> posted = send(HttpRequest.newBuilder(form.uri().resolve("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(fields)));
        hops.addAll(followFrom(posted));
        return hops;
    }

    /** The value of a cookie this session holds, from any host. */
    public Optional<String> cookie(String name) {
        return cookies.getCookieStore().getCookies().stream()
                .filter(cookie -> cookie.getName().equals(name))
                .map(HttpCookie::getValue)
                .findFirst();
    }

    public static List<URI> uris(List<HttpResponse<String>> hops) {
        return hops.stream().map(HttpResponse::uri).toList();
    }

    private List<HttpResponse<String>> followFrom(HttpResponse<String> first) {
        List<HttpResponse<String>> hops = new ArrayList<>(List.of(first));
        HttpResponse<String> last = first;
        while (last.statusCode() / 100 == 3
                && last.headers().firstValue("Location").isPresent()) {
            if (hops.size() == MAX_HOPS) {
                throw new AssertionError("redirect loop: " + uris(hops));
            }
            last = get(last.uri()
                    .resolve(last.headers().firstValue("Location").get())
                    .toString());
            hops.add(last);
        }
        return hops;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
