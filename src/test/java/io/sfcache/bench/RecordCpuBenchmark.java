package io.sfcache.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sfcache.contracts.DataContracts;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.sync.ChangeMessage;
import io.sfcache.sync.ChangeMessageReader;
import io.sfcache.sync.ChangeSource;
import io.sfcache.sync.ContractValidator;
import io.sfcache.sync.OrderGuard;
import io.sfcache.sync.SyncProperties;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

/**
 * Per-record CPU of a realistic Account change through sfcache's own beans, as the route calls them: parse (read the
 * body, check the envelope against its schema), validate (the Account contract), map (the order guard's decision and
 * the document to store, for a record not stored yet), and the three in a row.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgs = {"-Xms256m", "-Xmx256m"})
public class RecordCpuBenchmark {

    private ChangeMessageReader reader;
    private ContractValidator validator;
    private OrderGuard orderGuard;
    private DefaultCamelContext camel;
    private byte[] body;
    private ChangeMessage parsed;

    @Setup
    public void setUp() {
        // Built the way Spring Boot builds sfcache's ObjectMapper.
        ObjectMapper json = Jackson2ObjectMapperBuilder.json().build();
        SyncProperties sync = new SyncProperties();
        DataContracts contracts =
                new DataContracts(sync.getObjects(), sync.getContractsLocation(), new DefaultResourceLoader(), json);
        validator = new ContractValidator(contracts, io.micrometer.observation.ObservationRegistry.NOOP);
        reader = new ChangeMessageReader(json, validator, contracts, sync);
        orderGuard = new OrderGuard(contracts, Clock.systemUTC());
        camel = new DefaultCamelContext();
        body = ChangeMessages.seeded(7).account().create().toJson().getBytes(StandardCharsets.UTF_8);
        parsed = reader.read(exchange());
    }

    private Exchange exchange() {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    @Benchmark
    public ChangeMessage parse() {
        return reader.read(exchange());
    }

    @Benchmark
    public ChangeMessage validate() {
        validator.validate(parsed);
        return parsed;
    }

    @Benchmark
    public Object map() {
        return orderGuard.decide(parsed, null, ChangeSource.QUEUE).document();
    }

    @Benchmark
    public Object parseValidateMap() {
        Exchange exchange = exchange();
        ChangeMessage change = reader.read(exchange);
        validator.validate(change);
        return orderGuard.decide(change, null, ChangeSource.QUEUE).document();
    }
}
