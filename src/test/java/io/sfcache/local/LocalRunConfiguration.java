package io.sfcache.local;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Beans only the local run has: what makes it friendly to a newcomer. */
@TestConfiguration(proxyBeanMethods = false)
public class LocalRunConfiguration {

    @Bean
    ReadyBanner readyBanner() {
        return new ReadyBanner();
    }
}
