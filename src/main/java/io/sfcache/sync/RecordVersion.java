package io.sfcache.sync;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;
import java.util.Comparator;

/**
 * Orders the changes of one record: Salesforce's SystemModstamp first, then the publisher's sequence number for
 * changes stamped in the same millisecond.
 */
public record RecordVersion(
        @JsonSerialize(using = JsonTimestamps.Write.class) @JsonDeserialize(using = JsonTimestamps.Read.class)
        Instant systemModstamp,

        long sequence)
        implements Comparable<RecordVersion> {

    private static final Comparator<RecordVersion> ORDER =
            Comparator.comparing(RecordVersion::systemModstamp).thenComparingLong(RecordVersion::sequence);

    @Override
    public int compareTo(RecordVersion other) {
        return ORDER.compare(this, other);
    }

    public boolean isNewerThan(RecordVersion other) {
        return other == null || compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return systemModstamp + "#" + sequence;
    }
}
