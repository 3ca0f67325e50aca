package io.sfcache.sync;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sfcache.contracts.DataContracts;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/**
 * The sync pipeline's settings, {@code sfcache.sync.*} ({@link SyncProperties}), and the data contracts of the objects
 * they name: the contracts package loads contracts, this says which.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SyncProperties.class)
public class SyncConfiguration {

    @Bean
    DataContracts dataContracts(SyncProperties sync, ResourceLoader resources, ObjectMapper json) {
        return new DataContracts(sync.getObjects(), sync.getContractsLocation(), resources, json);
    }
}
