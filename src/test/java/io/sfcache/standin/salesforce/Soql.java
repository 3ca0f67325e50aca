package io.sfcache.standin.salesforce;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Just enough SOQL for sfcache's reads:
 * {@code SELECT f1, f2 FROM Object [WHERE cond [AND cond ...]] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST]] [LIMIT n]}
 * with conditions {@code field op literal} ({@code = != <> < <= > >=}) and {@code field [NOT] IN (literal, ...)}.
 * Literals: {@code 'quoted text'} for text and id fields, bare date-times ({@code 2026-01-01T00:00:00.000Z}, any
 * offset), dates, numbers, {@code true}/{@code false} and {@code null}; like Salesforce, a quoted date or number, or a
 * bare text, is an error. Keywords and field names are case-insensitive; text {@code =} ignores case, ids do not
 * (a 15-character id matches its 18-character form).
 *
 * <p>Not here: OR, NOT, parentheses, relationship fields, aggregates, date literals like {@code TODAY}, OFFSET.
 */
final class Soql {

    /** A query the stand-in cannot run, with Salesforce's error code. */
    static final class SoqlException extends RuntimeException {
        private final String errorCode;

        SoqlException(String errorCode, String message) {
            super(message);
            this.errorCode = errorCode;
        }

        String errorCode() {
            return errorCode;
        }
    }

    record Literal(String text, boolean quoted) {}

    record Condition(String field, String operator, List<Literal> values) {}

    record Query(
            List<String> fields,
            String sobject,
            List<Condition> where,
            String orderBy,
            boolean descending,
            Boolean nullsFirst,
            Integer limit) {}

    private final List<String> tokens;
    private int next;

    private Soql(String text) {
        this.tokens = tokenize(text);
    }

    static Query parse(String text) {
        return new Soql(text).query();
    }

    /** The SELECT list as describe spells the fields. */
    static List<FieldDef> selectedFields(Query query, SObjectDef def) {
        return query.fields().stream().map(f -> field(def, f)).toList();
    }

    /**
     * Runs the query over the object's records (in-memory values, all fields).
     *
     * @return the matching records (all their fields), ordered and limited
     */
    static List<Map<String, Object>> run(Query query, SObjectDef def, List<Map<String, Object>> records) {
        selectedFields(query, def);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> record : records) {
            if (query.where().stream().allMatch(c -> matches(def, c, record))) {
                rows.add(record);
            }
        }
        if (query.orderBy() != null) {
            FieldDef order = field(def, query.orderBy());
            boolean nullsFirst = query.nullsFirst() != null ? query.nullsFirst() : !query.descending();
            rows.sort(ordered(query.descending(), nullsFirst, order.name()));
        }
        if (query.limit() != null && rows.size() > query.limit()) {
            rows = rows.subList(0, query.limit());
        }
        return rows;
    }

    // ---- evaluation ----

    private static Comparator<Map<String, Object>> ordered(boolean descending, boolean nullsFirst, String field) {
        return (a, b) -> {
            boolean aNull = a.get(field) == null;
            boolean bNull = b.get(field) == null;
            if (aNull || bNull) {
                return aNull == bNull ? 0 : (aNull == nullsFirst ? -1 : 1);
            }
            int order = comparable(a.get(field)).compareTo(comparable(b.get(field)));
            return descending ? -order : order;
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Comparable<Object> comparable(Object value) {
        if (value instanceof String text) {
            return (Comparable) text.toLowerCase(Locale.ROOT);
        }
        return (Comparable<Object>) value;
    }

    private static boolean matches(SObjectDef def, Condition condition, Map<String, Object> record) {
        FieldDef field = field(def, condition.field());
        Object actual = record.get(field.name());
        String op = condition.operator();
        if (op.equals("IN") || op.equals("NOT IN")) {
            boolean in = condition.values().stream().anyMatch(v -> same(field, actual, literal(field, v)));
            return op.equals("IN") == in;
        }
        Object expected = literal(field, condition.values().get(0));
        return switch (op) {
            case "=" -> same(field, actual, expected);
            case "!=", "<>" -> !same(field, actual, expected);
            default -> {
                if (actual == null || expected == null) {
                    yield false;
                }
                int c = comparable(actual).compareTo(comparable(expected));
                yield switch (op) {
                    case "<" -> c < 0;
                    case "<=" -> c <= 0;
                    case ">" -> c > 0;
                    case ">=" -> c >= 0;
                    default -> throw new SoqlException("MALFORMED_QUERY", "unexpected operator " + op);
                };
            }
        };
    }

    private static boolean same(FieldDef field, Object actual, Object expected) {
        if (actual == null || expected == null) {
            return actual == expected;
        }
        if (field.type() == FieldType.ID || field.type() == FieldType.REFERENCE) {
            String a = (String) actual;
            String e = (String) expected;
            return e.length() == 15 ? a.startsWith(e) : a.equals(e);
        }
        if (actual instanceof String a) {
            return a.equalsIgnoreCase((String) expected);
        }
        return comparable(actual).compareTo(comparable(expected)) == 0;
    }

    private static Object literal(FieldDef field, Literal literal) {
        if (literal.text() == null) {
            return null;
        }
        FieldType type = field.type();
        if (type.isText() && !literal.quoted()) {
            throw new SoqlException("MALFORMED_QUERY", "unexpected token: " + literal.text());
        }
        if (!type.isText() && literal.quoted()) {
            throw new SoqlException(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    "value of filter criterion for field '" + field.name() + "' must be of type " + type.apiName()
                            + " and should not be enclosed in quotes");
        }
        if (type == FieldType.DATETIME && !literal.text().contains("T")) {
            throw new SoqlException(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    "value of filter criterion for field '" + field.name() + "' must be of type dateTime");
        }
        try {
            return type.parseLiteral(literal.text());
        } catch (IllegalArgumentException e) {
            throw new SoqlException(
                    "MALFORMED_QUERY",
                    "value of filter criterion for field '" + field.name() + "' must be of type " + type.apiName()
                            + ": " + literal.text());
        }
    }

    private static FieldDef field(SObjectDef def, String name) {
        return def.field(name)
                .orElseThrow(() -> new SoqlException(
                        "INVALID_FIELD",
                        "No such column '" + name
                                + "' on entity '" + def.name()
                                + "'. If you are attempting to use a custom field, be sure to append "
                                + "the '__c' after the custom field name."));
    }

    // ---- parsing ----

    private Query query() {
        expect("SELECT");
        List<String> fields = new ArrayList<>();
        do {
            fields.add(identifier());
        } while (accept(","));
        expect("FROM");
        String sobject = identifier();
        List<Condition> where = new ArrayList<>();
        if (accept("WHERE")) {
            do {
                where.add(condition());
            } while (accept("AND"));
        }
        String orderBy = null;
        boolean descending = false;
        Boolean nullsFirst = null;
        if (accept("ORDER")) {
            expect("BY");
            orderBy = identifier();
            if (accept("DESC")) {
                descending = true;
            } else {
                accept("ASC");
            }
            if (accept("NULLS")) {
                nullsFirst = accept("FIRST");
                if (!nullsFirst) {
                    expect("LAST");
                }
            }
        }
        Integer limit = null;
        if (accept("LIMIT")) {
            String n = take();
            try {
                limit = Integer.valueOf(n);
            } catch (NumberFormatException e) {
                throw new SoqlException("MALFORMED_QUERY", "unexpected token: " + n);
            }
        }
        if (next < tokens.size()) {
            throw new SoqlException("MALFORMED_QUERY", "unexpected token: " + tokens.get(next));
        }
        return new Query(fields, sobject, where, orderBy, descending, nullsFirst, limit);
    }

    private Condition condition() {
        String field = identifier();
        String op = take().toUpperCase(Locale.ROOT);
        if (op.equals("NOT")) {
            expect("IN");
            op = "NOT IN";
        }
        if (op.equals("IN") || op.equals("NOT IN")) {
            expect("(");
            List<Literal> values = new ArrayList<>();
            do {
                values.add(literal());
            } while (accept(","));
            expect(")");
            return new Condition(field, op, values);
        }
        if (!List.of("=", "!=", "<>", "<", "<=", ">", ">=").contains(op)) {
            throw new SoqlException("MALFORMED_QUERY", "unexpected token: " + op);
        }
        return new Condition(field, op, List.of(literal()));
    }

    private Literal literal() {
        String token = take();
        if (token.startsWith("'")) {
            return new Literal(token.substring(1, token.length() - 1), true);
        }
        return new Literal(token.equalsIgnoreCase("null") ? null : token, false);
    }

    private String identifier() {
        String token = take();
        if (!token.matches("[A-Za-z][A-Za-z0-9_]*")) {
            throw new SoqlException("MALFORMED_QUERY", "unexpected token: " + token);
        }
        return token;
    }

    private void expect(String keyword) {
        String token = take();
        if (!token.equalsIgnoreCase(keyword)) {
            throw new SoqlException("MALFORMED_QUERY", "expected " + keyword + " but found " + token);
        }
    }

    private boolean accept(String keyword) {
        if (next < tokens.size() && tokens.get(next).equalsIgnoreCase(keyword)) {
            next++;
            return true;
        }
        return false;
    }

    private String take() {
        if (next >= tokens.size()) {
            throw new SoqlException("MALFORMED_QUERY", "unexpected end of query");
        }
        return tokens.get(next++);
    }

    /** Quoted strings (with backslash escapes, quotes kept), operators, punctuation and words. */
    private static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'') {
                StringBuilder quoted = new StringBuilder("'");
                i++;
                while (i < text.length() && text.charAt(i) != '\'') {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    quoted.append(text.charAt(i++));
                }
                if (i >= text.length()) {
                    throw new SoqlException("MALFORMED_QUERY", "unterminated string literal");
                }
                tokens.add(quoted.append('\'').toString());
                i++;
            } else if (c == '(' || c == ')' || c == ',') {
                tokens.add(String.valueOf(c));
                i++;
            } else if (c == '=' || c == '<' || c == '>' || c == '!') {
                int end = i + 1;
                if (end < text.length() && (text.charAt(end) == '=' || (c == '<' && text.charAt(end) == '>'))) {
                    end++;
                }
                tokens.add(text.substring(i, end));
                i = end;
            } else {
                int end = i;
                while (end < text.length()
                        && (Character.isLetterOrDigit(text.charAt(end)) || "_.:+-".indexOf(text.charAt(end)) >= 0)) {
                    end++;
                }
                if (end == i) {
                    throw new SoqlException("MALFORMED_QUERY", "unexpected character " + c);
                }
                tokens.add(text.substring(i, end));
                i = end;
            }
        }
        return tokens;
    }
}
