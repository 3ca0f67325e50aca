package io.sfcache;

import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.bind.validation.ValidationErrors;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.validation.MessageInterpolatorFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;
import org.springframework.validation.Errors;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;

/**
 * Start-up names every missing or wrong {@code sfcache.*} setting at once. Each feature has its own settings class
 * ({@code @ConfigurationProperties("sfcache.<group>")}, registered by the feature's configuration), and Spring binds
 * and validates each one when it first creates it, so on its own it would stop at the first group that fails. Before
 * any bean is created, this binds and validates every {@code sfcache.*} settings class registered in the context the
 * way Spring will, and stops start-up with one list of all the problems ({@link InvalidSettingsFailureAnalyzer}).
 * It knows no feature: it finds the classes among the bean definitions.
 */
@Component
public class SettingsCheck implements BeanFactoryPostProcessor, EnvironmentAware {

    private static final String PREFIX = "sfcache";

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) throws BeansException {
        List<Class<?>> settings = settingsClasses(beanFactory);
        if (settings.isEmpty()) {
            return;
        }
        List<String> problems = new ArrayList<>();
        Binder binder = Binder.get(environment);
        LocalValidatorFactoryBean validation = new LocalValidatorFactoryBean();
        validation.setMessageInterpolator(new MessageInterpolatorFactory().getObject());
        validation.afterPropertiesSet();
        try {
            for (Class<?> type : settings) {
                problems.addAll(check(binder, validation, type));
            }
        } finally {
            validation.destroy();
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
    }

    private static List<Class<?>> settingsClasses(ConfigurableListableBeanFactory beanFactory) {
        List<Class<?>> found = new ArrayList<>();
        for (String name : beanFactory.getBeanDefinitionNames()) {
            BeanDefinition definition = beanFactory.getBeanDefinition(name);
            String className = definition.getBeanClassName();
            if (className == null
                    || definition.getFactoryMethodName() != null
                    || definition.isAbstract()
                    || !className.startsWith("io.sfcache.")) {
                continue;
            }
            Class<?> type = ClassUtils.resolveClassName(className, beanFactory.getBeanClassLoader());
            String prefix = prefix(type);
            if (prefix != null
                    && (prefix.equals(PREFIX) || prefix.startsWith(PREFIX + "."))
                    && ClassUtils.hasConstructor(type)
                    && !found.contains(type)) {
                found.add(type);
            }
        }
        return found;
    }

    private static String prefix(Class<?> type) {
        ConfigurationProperties annotation =
                AnnotatedElementUtils.findMergedAnnotation(type, ConfigurationProperties.class);
        return annotation == null ? null : annotation.prefix();
    }

    /** Binds a fresh instance as Spring will (JavaBean binding, JSR-303 on the class when it is @Validated). */
    private static List<String> check(Binder binder, LocalValidatorFactoryBean validation, Class<?> type) {
        String prefix = prefix(type);
        BindHandler handler = AnnotatedElementUtils.hasAnnotation(type, Validated.class)
                ? new ValidationBindHandler(new ThisClassOnly(type, validation))
                : BindHandler.DEFAULT;
        try {
            binder.bind(prefix, Bindable.ofInstance(BeanUtils.instantiateClass(type)), handler);
            return List.of();
        } catch (BindException e) {
            if (e.getCause() instanceof BindValidationException invalid) {
                ValidationErrors errors = invalid.getValidationErrors();
                List<String> problems = new ArrayList<>();
                for (ObjectError error : errors) {
                    problems.add(describe(errors.getName().toString(), error));
                }
                return problems;
            }
            return List.of(describe(e));
        }
    }

    private static String describe(String name, ObjectError error) {
        StringBuilder text = new StringBuilder();
        if (error instanceof FieldError field) {
            text.append("Property: ")
                    .append(name)
                    .append('.')
                    .append(DataObjectPropertyName.toDashedForm(field.getField()));
            if (field.getRejectedValue() != null) {
                text.append("\nValue: \"").append(field.getRejectedValue()).append('"');
            }
        } else {
            text.append("Property: ").append(name);
        }
        Origin origin = Origin.from(error);
        if (origin != null) {
            text.append("\nOrigin: ").append(origin);
        }
        return text.append("\nReason: ").append(error.getDefaultMessage()).toString();
    }

    private static String describe(BindException e) {
        ConfigurationProperty property = e.getProperty();
        StringBuilder text =
                new StringBuilder("Property: ").append(property != null ? property.getName() : e.getName());
        if (property != null) {
            text.append("\nValue: \"").append(property.getValue()).append('"');
            if (property.getOrigin() != null) {
                text.append("\nOrigin: ").append(property.getOrigin());
            }
        }
        Throwable reason = org.springframework.core.NestedExceptionUtils.getMostSpecificCause(e);
        return text.append("\nReason: ").append(reason.getMessage()).toString();
    }

    /** Spring validates the settings class itself, its nested groups through @Valid: so does this. */
    private record ThisClassOnly(Class<?> type, Validator delegate) implements Validator {

        @Override
        public boolean supports(Class<?> clazz) {
            return type.equals(clazz);
        }

        @Override
        public void validate(Object target, Errors errors) {
            delegate.validate(target, errors);
        }
    }

    /** Every missing or wrong {@code sfcache.*} setting, each as Property, (Value, Origin,) Reason lines. */
    public static class InvalidSettingsException extends IllegalStateException {

        private static final long serialVersionUID = 1L;

        private final transient List<String> problems;

        InvalidSettingsException(List<String> problems) {
            super("sfcache settings are missing or wrong:\n\n" + String.join("\n\n", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
