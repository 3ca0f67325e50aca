package io.sfcache;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class SfcacheApplication {

    public static void main(String[] args) {
        SpringApplication.run(SfcacheApplication.class, args);
    }
}
