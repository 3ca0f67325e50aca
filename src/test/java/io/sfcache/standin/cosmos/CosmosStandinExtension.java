package io.sfcache.standin.cosmos;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * {@code @ExtendWith(CosmosStandinExtension.class)}: starts {@link CosmosStandin#shared()} before
 * the class (so a stand-in that cannot start fails the class set-up with Node's message) and
 * injects it into test, lifecycle and constructor parameters of type {@link CosmosStandin}.
 * All classes share one Node process; each should use its own database or container names.
 */
public final class CosmosStandinExtension implements BeforeAllCallback, ParameterResolver {

    @Override
    public void beforeAll(ExtensionContext context) {
        CosmosStandin.shared();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == CosmosStandin.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return CosmosStandin.shared();
    }
}
