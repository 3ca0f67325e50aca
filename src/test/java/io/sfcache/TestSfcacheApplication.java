package io.sfcache;

import io.sfcache.local.LocalRunConfiguration;
import io.sfcache.standin.LocalStandins;
import org.springframework.boot.SpringApplication;

/**
 * {@code ./mvnw spring-boot:test-run}: sfcache on the local stand-ins, with the simulated publisher and the URLs
 * printed once it is healthy.
 */
public final class TestSfcacheApplication {

    private TestSfcacheApplication() {}

    public static void main(String[] args) {
        // Maven forks this JVM: if Maven goes away (Ctrl-C, IDE stop), go too, and take the stand-ins along.
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
        SpringApplication application = new SpringApplication(SfcacheApplication.class, LocalRunConfiguration.class);
        application.addInitializers(new LocalStandins());
        application.setAdditionalProfiles("local");
        application.run(args);
    }
}
