package io.sfcache.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sfcache.standin.cosmos.CosmosStandin;
import io.sfcache.standin.cosmos.CosmosStandinExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(CosmosStandinExtension.class)
class LoopbackTlsTest {

    @Test
    void installsOnceAcrossThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<LoopbackTls.Material>> calls = pool.invokeAll(
                    Collections.nCopies(8, (Callable<LoopbackTls.Material>) LoopbackTls::ensureInstalled));
            LoopbackTls.Material first = calls.get(0).get();
            for (Future<LoopbackTls.Material> call : calls) {
                assertThat(call.get()).isSameAs(first);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void certificateNamesTheLoopbackAddressAndIsTrustedWithTheJdkCas() throws Exception {
        LoopbackTls.Material tls = LoopbackTls.ensureInstalled();

        assertThat(tls.certificatePem()).startsWith(ProjectDir.get().resolve("target/standin-tls"));
        assertThat(Files.readString(tls.certificatePem())).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(tls.privateKeyPem())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(tls.certificate().getSubjectAlternativeNames())
                .contains(List.of(7, "127.0.0.1"), List.of(2, "localhost"));

        assertThat(System.getProperty("javax.net.ssl.trustStore"))
                .isEqualTo(tls.trustStore().toString());
        assertThat(System.getProperty("javax.net.ssl.trustStoreType")).isEqualTo("PKCS12");
        KeyStore store = load(tls.trustStore(), System.getProperty("javax.net.ssl.trustStorePassword"));
        assertThat(store.getCertificateAlias(tls.certificate())).isNotNull();
        assertThat(store.size()).as("the JDK's CAs are kept").isGreaterThan(50);
    }

    @Test
    void defaultSslContextTrustsTheStandinAndAPlainOneDoesNot(CosmosStandin standin) throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(standin.endpoint())).build();

        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("databaseAccountEndpoint");

        // proof that the handshake really verifies: a context without our store refuses the server
        SSLContext jdkOnly = SSLContext.getInstance("TLS");
        TrustManagerFactory cacertsOnly = TrustManagerFactory.getInstance("PKIX");
        cacertsOnly.init(load(Path.of(System.getProperty("java.home"), "lib/security/cacerts"), "changeit"));
        jdkOnly.init(null, cacertsOnly.getTrustManagers(), null);
        HttpClient untrusting = HttpClient.newBuilder().sslContext(jdkOnly).build();
        assertThatThrownBy(() -> untrusting.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    private static KeyStore load(Path file, String password) throws Exception {
        return KeyStore.getInstance(file.toFile(), password.toCharArray()); // detects JKS or PKCS12
    }
}
