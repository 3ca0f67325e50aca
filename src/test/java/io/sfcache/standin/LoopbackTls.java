package io.sfcache.standin;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away TLS identity for loopback stand-ins (Cosmos DB over HTTPS, later gRPC), trusted
 * by this JVM.
 *
 * <p>The Azure and Salesforce clients insist on TLS with a verified certificate, and the Cosmos
 * stand-in advertises {@code https://127.0.0.1:port/}, so the certificate names IP 127.0.0.1 (and
 * DNS localhost). It is generated fresh in each JVM, under {@code target/standin-tls/<pid>/}, so
 * that a test run and a {@code spring-boot:test-run} side by side do not swap each other's trust;
 * nothing here is ever committed.
 *
 * <p><b>Call {@link #ensureInstalled()} before any TLS use in the JVM.</b> It sets the
 * {@code javax.net.ssl.trustStore*} system properties to a PKCS12 store holding this certificate
 * plus every CA the JVM trusted before. The JDK reads those properties when it creates its default
 * {@code SSLContext}, once and lazily: a client built on that context before this call keeps the
 * old trust and fails the handshake ("PKIX path building failed"). Clients that initialise their
 * own {@code SSLContext} with default trust (Netty's client contexts, so the Cosmos SDK) read the
 * properties when they are built, so only clients built after this call trust the stand-ins.
 */
public final class LoopbackTls {

    /** The files of the identity; the key is unencrypted PKCS#8 PEM (what Node and Netty read). */
    public record Material(
            Path certificatePem,
            Path privateKeyPem,
            Path trustStore,
            String trustStorePassword,
            X509Certificate certificate,
            PrivateKey privateKey) {}

    private static final String TRUST_STORE_PASSWORD = "standin";
    private static final Duration VALIDITY = Duration.ofDays(30);

    private static volatile Material installed;

    private LoopbackTls() {}

    /**
     * Generates the identity and installs the trust store on first call; later calls (any thread)
     * return the same material.
     */
    public static Material ensureInstalled() {
        Material material = installed;
        if (material == null) {
            synchronized (LoopbackTls.class) {
                material = installed;
                if (material == null) {
                    material = generate(ProjectDir.get().resolve("target/standin-tls"));
                    System.setProperty(
                            "javax.net.ssl.trustStore", material.trustStore().toString());
                    System.setProperty("javax.net.ssl.trustStorePassword", material.trustStorePassword());
                    System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
                    installed = material;
                }
            }
        }
        return material;
    }

    private static Material generate(Path baseDir) {
        try {
            pruneDeadJvms(baseDir);
            Path dir = Files.createDirectories(
                    baseDir.resolve(Long.toString(ProcessHandle.current().pid())));

            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1")); // milliseconds, unlike RSA
            KeyPair keyPair = generator.generateKeyPair();
            X509Certificate certificate = selfSigned(keyPair);

            Path certPem = dir.resolve("cert.pem");
            Path keyPem = dir.resolve("key.pem");
            Path trustStore = dir.resolve("truststore.p12");
            writePem(certPem, certificate);
            writePem(keyPem, new JcaPKCS8Generator(keyPair.getPrivate(), null));
            writeTrustStore(trustStore, certificate);
            return new Material(certPem, keyPem, trustStore, TRUST_STORE_PASSWORD, certificate, keyPair.getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the loopback TLS files under " + baseDir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("Cannot generate the loopback TLS certificate", e);
        }
    }

    private static X509Certificate selfSigned(KeyPair keyPair)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        X500Name subject = new X500Name("CN=sfcache loopback stand-in");
        // a day of slack either side: clock differences between JVM and Node must not matter
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(VALIDITY)),
                subject,
                keyPair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")
        }));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        return new JcaX509CertificateConverter()
                .getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate())));
    }

    /** A server context presenting the loopback certificate, for the JDK's {@code HttpsServer}. */
    public static SSLContext serverContext() {
        Material material = ensureInstalled();
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = TRUST_STORE_PASSWORD.toCharArray();
            keys.setKeyEntry("standin", material.privateKey(), password, new java.security.cert.Certificate[] {
                material.certificate()
            });
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the loopback server's TLS context", e);
        }
    }

    /**
     * A client context that trusts the loopback certificate, for clients made before {@link #ensureInstalled()}
     * changed the JVM's default trust (the default context is read once).
     */
    public static SSLContext clientContext() {
        Material material = ensureInstalled();
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("standin", material.certificate());
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot trust the loopback certificate", e);
        }
    }

    /** This certificate plus whatever the JVM trusted so far: real endpoints must keep working. */
    private static void writeTrustStore(Path file, X509Certificate certificate)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("sfcache-loopback", certificate);
        TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        defaults.init((KeyStore) null);
        int n = 0;
        for (TrustManager manager : defaults.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                for (X509Certificate issuer : x509.getAcceptedIssuers()) {
                    store.setCertificateEntry("jdk-" + n++, issuer);
                }
            }
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, TRUST_STORE_PASSWORD.toCharArray());
        }
    }

    private static void writePem(Path file, Object object) throws IOException {
        try (Writer writer = Files.newBufferedWriter(file);
                JcaPEMWriter pem = new JcaPEMWriter(writer)) {
            pem.writeObject(object);
        }
    }

    /** Directories are named by PID; those of JVMs that are gone are litter. */
    private static void pruneDeadJvms(Path baseDir) throws IOException {
        if (!Files.isDirectory(baseDir)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(baseDir)) {
            for (Path dir : dirs.toList()) {
                String name = dir.getFileName().toString();
                if (name.matches("\\d+")
                        && ProcessHandle.of(Long.parseLong(name)).isEmpty()) {
                    try (Stream<Path> files = Files.list(dir)) {
                        for (Path file : files.toList()) {
                            Files.deleteIfExists(file);
                        }
                        Files.deleteIfExists(dir);
                    } catch (IOException raceWithAnotherJvmPruning) {
                        // best effort: litter, not an error
                    }
                }
            }
        }
    }
}
