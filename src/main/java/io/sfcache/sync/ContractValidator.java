package io.sfcache.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Checks messages against their contracts with the JSON Schema validator, and against what Salesforce can hold
 * ({@link SalesforceValueLimits}), and turns the findings into lines a person can act on: which field, what was
 * expected, what arrived.
 */
@Component("contractValidator")
public class ContractValidator {

    private static final int MAX_SHOWN_VALUE = 80;

    /** Observation (span and timer {@code sfcache_sync_validation_seconds}) of one change's validation. */
    static final String VALIDATION_OBSERVATION = "sfcache.sync.validation";

    private final DataContracts contracts;
    private final ObservationRegistry observations;

    public ContractValidator(DataContracts contracts, ObservationRegistry observations) {
        this.contracts = contracts;
        this.observations = observations;
    }

    /** Problems with the envelope (contracts/change-message.schema.json); empty when it is valid. */
    public List<String> envelopeViolations(JsonNode message) {
        return describe(contracts.envelope(), message);
    }

    /** Validates a record change's fields against its object's contract; deletes and heartbeats carry none. */
    public void validate(ChangeMessage change) {
        if (!change.changeType().carriesFields()) {
            return;
        }
        Observation.createNotStarted(VALIDATION_OBSERVATION, observations)
                .contextualName("validate " + change.sobject().toLowerCase(Locale.ROOT))
                .lowCardinalityKeyValue("sobject", change.sobject())
                .observe(() -> checkFields(change));
    }

    private void checkFields(ChangeMessage change) {
        DataContract contract = contracts
                .find(change.sobject())
                .orElseThrow(() -> new RejectedChangeException(
                        RejectionReason.UNKNOWN_OBJECT, "No data contract for " + change.sobject()));
        List<String> violations = new ArrayList<>(
                describe(change.partial() ? contract.partialSchema() : contract.schema(), change.fields()));
        violations.addAll(SalesforceValueLimits.violations(contract, change.fields()));
        if (!violations.isEmpty()) {
            throw new RejectedChangeException(
                    RejectionReason.CONTRACT_VIOLATION,
                    change.sobject() + " " + change.recordId() + " breaks its data contract (" + contract.location()
                            + "): " + String.join("; ", violations),
                    violations);
        }
    }

    private static List<String> describe(JsonSchema schema, JsonNode instance) {
        Set<ValidationMessage> messages = schema.validate(instance);
        return messages.stream()
                .sorted(Comparator.comparing(
                                (ValidationMessage m) -> m.getInstanceLocation().toString())
                        .thenComparing(ValidationMessage::getType))
                .map(ContractValidator::describe)
                .distinct()
                .toList();
    }

    /** One violation as "Field: problem", naming the expectation and the value found. */
    static String describe(ValidationMessage m) {
        String path = path(m.getInstanceLocation());
        JsonNode value = m.getInstanceNode();
        JsonNode schema = m.getSchemaNode();
        return switch (m.getType()) {
            case "required" -> qualify(path, m.getProperty()) + ": required but missing";
            case "type" ->
                path + ": expected " + schema.toString().replace("\"", "").replace(",", " or ") + ", got "
                        + typeOf(value) + " " + shown(value);
            case "maxLength" ->
                path + ": at most " + schema.asInt() + " characters allowed, got "
                        + value.asText().codePointCount(0, value.asText().length());
            case "minLength" -> path + ": at least " + schema.asInt() + " character(s) required, got " + shown(value);
            case "enum" -> path + ": " + shown(value) + " is not one of the allowed values " + abbreviate(schema);
            case "const" -> path + ": expected " + schema + ", got " + shown(value);
            case "pattern" -> path + ": " + shown(value) + " does not match " + schema.asText();
            case "format" -> path + ": " + shown(value) + " is not a valid " + formatName(m);
            case "minimum" -> path + ": " + shown(value) + " is below the minimum " + schema;
            case "maximum" -> path + ": " + shown(value) + " is above the maximum " + schema;
            default ->
                (path.isEmpty() ? "" : path + ": ")
                        + m.getMessage()
                                .replaceFirst(
                                        "^"
                                                + Pattern.quote(
                                                        m.getInstanceLocation().toString()) + ": ",
                                        "");
        };
    }

    /**
     * Where the problem is, as a person writes it: {@code AnnualRevenue}, {@code version.sequence},
     * {@code Extra[0]}; the validator's own rendering is a JSON pointer ({@code /version/sequence}).
     */
    private static String path(JsonNodePath location) {
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer index) {
                path.append('[').append(index).append(']');
            } else {
                path.append(path.isEmpty() ? "" : ".").append(element);
            }
        }
        return path.toString();
    }

    private static String qualify(String parent, String property) {
        return parent.isEmpty() ? property : parent + "." + property;
    }

    private static String typeOf(JsonNode value) {
        return value == null ? "nothing" : value.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static String shown(JsonNode value) {
        if (value == null) {
            return "nothing";
        }
        String text = value.toString();
        return text.length() <= MAX_SHOWN_VALUE ? text : text.substring(0, MAX_SHOWN_VALUE) + "...\"";
    }

    private static String abbreviate(JsonNode allowed) {
        String text = allowed.toString();
        return text.length() <= 300 ? text : text.substring(0, 300) + "...]";
    }

    private static String formatName(ValidationMessage m) {
        Object[] args = m.getArguments();
        return args != null && args.length > 0 ? String.valueOf(args[0]) : "value";
    }
}
