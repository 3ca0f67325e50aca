package io.sfcache.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.contracts.DataContract;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Salesforce can hold that JSON Schema does not say, checked before a value is stored: a contract says
 * "number" or "string", but Salesforce keeps numbers of at most 18 digits and text without control characters. The
 * limits follow from each field's {@code x-salesforce-type}, so contracts need not repeat them. A value past them
 * could only come from a broken or hostile publisher, and stored once it would poison every read of the record.
 * Also bounds the shape of a message: nesting and the number of fields.
 */
final class SalesforceValueLimits {

    /** Deepest nesting a message may have; the envelope itself needs three (message, fields, a value). */
    static final int MAX_DEPTH = 16;
    /** Most fields one change may carry: an object has at most 800 custom fields, plus its standard ones. */
    static final int MAX_FIELDS = 1000;

    /** Salesforce number fields hold at most 18 digits (precision), whatever the scale. */
    private static final BigDecimal MAX_NUMBER = new BigDecimal("1E18");

    private static final Set<String> WHOLE = Set.of("int");
    private static final Set<String> NUMERIC = Set.of("int", "double", "currency", "percent", "long");

    private SalesforceValueLimits() {}

    /** Where the message nests deeper than {@link #MAX_DEPTH}, or null: checked before anything walks it. */
    static String tooDeep(JsonNode message) {
        Deque<Map.Entry<String, JsonNode>> pending = new ArrayDeque<>();
        Deque<Integer> depths = new ArrayDeque<>();
        pending.push(Map.entry("$", message));
        depths.push(1);
        while (!pending.isEmpty()) {
            Map.Entry<String, JsonNode> current = pending.pop();
            int depth = depths.pop();
            if (depth > MAX_DEPTH) {
                return current.getKey() + " nests deeper than " + MAX_DEPTH + " levels, the most a change message may";
            }
            JsonNode node = current.getValue();
            if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    pending.push(Map.entry(current.getKey() + "." + field.getKey(), field.getValue()));
                    depths.push(depth + 1);
                }
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    pending.push(Map.entry(current.getKey() + "[" + i + "]", node.get(i)));
                    depths.push(depth + 1);
                }
            }
        }
        return null;
    }

    /** The values of a change's fields that Salesforce could not hold, as "Field: problem"; empty when all fit. */
    static List<String> violations(DataContract contract, JsonNode fields) {
        List<String> violations = new ArrayList<>();
        if (fields.size() > MAX_FIELDS) {
            violations.add("fields: " + fields.size() + " fields, at most " + MAX_FIELDS
                    + " allowed (an object has at most 800 custom fields)");
            return violations;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            DataContract.Field declared = contract.fields().get(field.getKey());
            JsonNode value = field.getValue();
            if (declared == null || value == null || value.isNull()) {
                continue;
            }
            if (value.isNumber() && NUMERIC.contains(declared.salesforceType())) {
                String problem = numberProblem(value, WHOLE.contains(declared.salesforceType()));
                if (problem != null) {
                    violations.add(field.getKey() + ": " + problem);
                }
            } else if (value.isTextual()) {
                String problem = textProblem(value.asText());
                if (problem != null) {
                    violations.add(field.getKey() + ": " + problem);
                }
            }
        }
        return violations;
    }

    private static String numberProblem(JsonNode value, boolean whole) {
        if (value.isDouble() && !Double.isFinite(value.doubleValue())) {
            return value.asText() + " is not a finite number (Salesforce numbers have at most 18 digits)";
        }
        BigDecimal number = value.decimalValue();
        if (number.abs().compareTo(whole ? BigDecimal.valueOf(Integer.MAX_VALUE) : MAX_NUMBER) > (whole ? 0 : -1)) {
            return shown(value)
                    + (whole
                            ? " is out of range for a Salesforce int (at most " + Integer.MAX_VALUE + " either way)"
                            : " has more than the 18 digits a Salesforce number holds");
        }
        return null;
    }

    /** A character Salesforce cannot store: C0 controls other than tab, line feed and carriage return. */
    private static String textProblem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                return String.format(
                        "contains the control character U+%04X at position %d, which Salesforce " + "cannot store",
                        (int) c, i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a pair: one character outside the Basic Multilingual Plane
            } else if (Character.isSurrogate(c)) {
                return String.format("contains a lone surrogate U+%04X at position %d, which is not text", (int) c, i);
            }
        }
        return null;
    }

    private static String shown(JsonNode value) {
        String text = value.asText();
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
