package io.sfcache.cluster;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who led which leader-only route group ("master:" routes) when, read from each replica's log: Camel's master
 * consumer logs at INFO {@code Leadership taken. Attempt #n success. Consumer started: <delegate>} once this replica
 * holds the group's lock and the route's own consumer runs, and {@code Leadership lost. Consumer stopped: <delegate>}
 * when it gives it up. The line names the delegate endpoint, not the group: sfcache's leader-only routes are
 * {@code master:<group>:timer:<group>}, so the timer's name is the group's. A term that the log does not end ends when
 * its JVM was killed (SIGKILL logs nothing) or stopped.
 */
final class LeadershipLog {

    /** One replica incarnation's leadership of one group. {@code to} is null while it lasts. */
    record Term(String group, String holder, Instant from, Instant to, boolean endedByKill) {
        boolean overlaps(Term other) {
            Instant end = to == null ? Instant.MAX : to;
            Instant otherEnd = other.to == null ? Instant.MAX : other.to;
            return from.isBefore(otherEnd) && other.from.isBefore(end);
        }
    }

    /** The replicas log with {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX}} first (MultiReplicaTest sets the pattern). */
    private static final Pattern LINE =
            Pattern.compile("^(\\S+)\\s.*Leadership (taken|lost)\\. .*Consumer (started|stopped): timer://([^?\\s]+)");

    private LeadershipLog() {}

    /** Every term in the incarnation's log so far; open terms end at its death if it is dead. */
    static List<Term> terms(ReplicaProcess.Incarnation incarnation) {
        Map<String, Instant> open = new LinkedHashMap<>();
        List<Term> terms = new ArrayList<>();
        for (String line : incarnation.logLines()) {
            Matcher m = LINE.matcher(line);
            if (!m.find()) {
                continue;
            }
            Optional<Instant> at = timestamp(m.group(1));
            if (at.isEmpty()) {
                continue;
            }
            String group = m.group(4);
            if (m.group(2).equals("taken") && m.group(3).equals("started")) {
                open.putIfAbsent(group, at.get());
            } else if (m.group(2).equals("lost") && m.group(3).equals("stopped")) {
                Instant from = open.remove(group);
                if (from != null) {
                    terms.add(new Term(group, incarnation.name(), from, at.get(), false));
                }
            }
        }
        // A SIGKILLed JVM logs nothing more: its terms end when the process was seen gone (null: still running).
        Instant end = incarnation.exited;
        boolean killed = incarnation.killed != null;
        open.forEach((group, from) -> terms.add(new Term(group, incarnation.name(), from, end, killed)));
        terms.sort(Comparator.comparing(Term::from));
        return terms;
    }

    /** The incarnation's open terms now: the groups it leads. */
    static List<String> leading(ReplicaProcess.Incarnation incarnation) {
        if (!incarnation.alive()) {
            return List.of();
        }
        return terms(incarnation).stream()
                .filter(t -> t.to() == null)
                .map(Term::group)
                .toList();
    }

    private static Optional<Instant> timestamp(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
