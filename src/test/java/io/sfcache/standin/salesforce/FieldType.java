package io.sfcache.standin.salesforce;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The Salesforce field types the stand-in knows, with how each is held in memory, written in REST JSON and in a
 * change event's Avro payload.
 *
 * <p>In memory: text types as {@link String}, {@code currency}/{@code double}/{@code percent} as {@link Double},
 * {@code int} as {@link Integer}, {@code date} as {@link LocalDate}, {@code datetime} as {@link Instant},
 * {@code boolean} as {@link Boolean}. In Avro, as Salesforce does: dates as days since the epoch ({@code int}),
 * date-times as epoch milliseconds ({@code long}), numbers with decimals as {@code double}.
 */
public enum FieldType {
    STRING("string", "xsd:string", "string", "Data:Text"),
    TEXTAREA("textarea", "xsd:string", "string", "Data:TextArea"),
    PICKLIST("picklist", "xsd:string", "string", "Data:DynamicEnum"),
    EMAIL("email", "xsd:string", "string", "Data:Email"),
    PHONE("phone", "xsd:string", "string", "Data:Phone"),
    URL("url", "xsd:string", "string", "Data:Url"),
    ID("id", "tns:ID", "string", "Data:EntityId"),
    REFERENCE("reference", "tns:ID", "string", "Data:EntityId"),
    CURRENCY("currency", "xsd:double", "double", "Data:Currency"),
    DOUBLE("double", "xsd:double", "double", "Data:Double"),
    PERCENT("percent", "xsd:double", "double", "Data:Percent"),
    INT("int", "xsd:int", "int", "Data:Integer"),
    DATE("date", "xsd:date", "int", "Data:DateOnly"),
    DATETIME("datetime", "xsd:dateTime", "long", "Data:DateTime"),
    BOOLEAN("boolean", "xsd:boolean", "boolean", "Data:Boolean");

    /** How Salesforce writes date-times in REST JSON: {@code 2026-01-31T09:15:00.000+0000}. */
    static final DateTimeFormatter REST_DATETIME = DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd'T'HH:mm:ss.SSSZ", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final String apiName;
    private final String soapType;
    private final String avroType;
    private final String avroDoc;

    FieldType(String apiName, String soapType, String avroType, String avroDoc) {
        this.apiName = apiName;
        this.soapType = soapType;
        this.avroType = avroType;
        this.avroDoc = avroDoc;
    }

    /** The type as describe names it ({@code x-salesforce-type} in the contracts). */
    public String apiName() {
        return apiName;
    }

    String soapType() {
        return soapType;
    }

    /** The Avro primitive of the (nullable) field in a change event schema. */
    String avroType() {
        return avroType;
    }

    /** The {@code doc} Salesforce puts on such a field in a change event schema. */
    String avroDoc() {
        return avroDoc;
    }

    public static FieldType of(String apiName) {
        for (FieldType type : values()) {
            if (type.apiName.equalsIgnoreCase(apiName)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown Salesforce field type " + apiName);
    }

    boolean isText() {
        return avroType.equals("string");
    }

    boolean isNumber() {
        return this == CURRENCY || this == DOUBLE || this == PERCENT || this == INT;
    }

    /** Length describe reports when the contract gives none (Salesforce's own for these types). */
    int defaultLength() {
        return switch (this) {
            case PICKLIST, URL -> 255;
            case EMAIL -> 80;
            case PHONE -> 40;
            case ID, REFERENCE -> 18;
            case TEXTAREA -> 32768;
            case STRING -> 255;
            default -> 0;
        };
    }

    /**
     * The in-memory form of a value given by a test (or of a value of another type after a type change).
     *
     * @throws IllegalArgumentException if it cannot be that type
     */
    Object coerce(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return switch (this) {
                case CURRENCY, DOUBLE, PERCENT ->
                    value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString());
                case INT -> value instanceof Number n ? intValueExact(n) : Integer.parseInt(value.toString());
                case BOOLEAN -> value instanceof Boolean b ? b : parseBoolean(value.toString());
                case DATE ->
                    value instanceof LocalDate d
                            ? d
                            : value instanceof Instant i
                                    ? LocalDate.ofInstant(i, ZoneOffset.UTC)
                                    : LocalDate.parse(value.toString());
                case DATETIME -> toInstant(value);
                default -> value instanceof Instant i ? REST_DATETIME.format(i) : value.toString();
            };
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("not a " + apiName + ": " + value, e);
        }
    }

    /** The value as Salesforce's REST API writes it in JSON (Jackson serialises the result). */
    Object toJson(Object value) {
        if (value instanceof Instant instant) {
            return REST_DATETIME.format(instant);
        }
        if (value instanceof LocalDate date) {
            return date.toString();
        }
        return value;
    }

    /** The value as the change event's Avro payload carries it. */
    Object toAvro(Object value) {
        if (value instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        if (value instanceof LocalDate date) {
            return Math.toIntExact(date.toEpochDay());
        }
        return value;
    }

    /** Parses a SOQL literal (already unquoted) for a comparison with this type. */
    Object parseLiteral(String literal) {
        if (literal == null) {
            return null;
        }
        return coerce(literal);
    }

    private static Integer intValueExact(Number n) {
        if (n instanceof Double || n instanceof Float) {
            return (int) Math.round(n.doubleValue());
        }
        return new BigDecimal(n.toString()).intValueExact();
    }

    private static Boolean parseBoolean(String text) {
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.valueOf(text);
        }
        throw new IllegalArgumentException("not a boolean: " + text);
    }

    private static Instant toInstant(Object value) {
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof LocalDate date) {
            return date.atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        String text = value.toString();
        // SOQL and REST: 2026-01-01T00:00:00Z, ...00.000Z, ...+01:00, and Salesforce's own ...000+0000
        if (text.matches(".*[+-]\\d{4}$")) {
            text = text.substring(0, text.length() - 2) + ":" + text.substring(text.length() - 2);
        }
        return OffsetDateTime.parse(text).toInstant();
    }
}
