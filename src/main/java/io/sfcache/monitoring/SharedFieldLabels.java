package io.sfcache.monitoring;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.sync.StateDocuments;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * {@link FieldLabels} in sync-state ({@code field-labels-<Object>}), so a new leader of the schema-drift check still
 * recognises a field renamed just before it took over. Labels are only added: two writers merge, written only if
 * nobody wrote since the read (else read and merge again). A failure costs only the rename's name: the change is
 * then reported as a removal, and the drift alarm is the same.
 */
@Component
class SharedFieldLabels implements FieldLabels {

    private static final Logger LOG = LoggerFactory.getLogger(SharedFieldLabels.class);
    /** Each lost attempt means another writer got through: n writers at once need at most n attempts. */
    private static final int ATTEMPTS = 10;

    private final StateDocuments documents;
    private final String prefix;

    @Autowired
    SharedFieldLabels(StateDocuments documents) {
        this(documents, "field-labels-");
    }

    /** @param prefix of the document ids; tests give each their own */
    SharedFieldLabels(StateDocuments documents, String prefix) {
        this.documents = documents;
        this.prefix = prefix;
    }

    @Override
    public Map<String, String> known(String sobject) {
        try {
            return documents
                    .read(prefix + sobject)
                    .map(SharedFieldLabels::labels)
                    .orElseGet(Map::of);
        } catch (RuntimeException e) {
            LOG.warn("Field labels of {} not read ({}): renames are reported as removals", sobject, e.getMessage());
            return Map.of();
        }
    }

    @Override
    public void remember(String sobject, Map<String, String> seen) {
        try {
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                Optional<StateDocuments.Versioned> stored = documents.read(prefix + sobject);
                Map<String, String> labels =
                        new TreeMap<>(stored.map(versioned -> labels(versioned)).orElseGet(Map::of));
                if (labels.entrySet().containsAll(seen.entrySet())) {
                    return;
                }
                labels.putAll(seen);
                ObjectNode doc = JsonNodeFactory.instance.objectNode();
                doc.put("id", prefix + sobject);
                doc.put("kind", "field-labels");
                doc.put("sobject", sobject);
                labels.forEach(doc.putObject("labels")::put);
                if (documents.write(
                        doc, stored.map(StateDocuments.Versioned::etag).orElse(null))) {
                    return;
                }
            }
            LOG.warn("Field labels of {} not stored: others kept writing them", sobject);
        } catch (RuntimeException e) {
            LOG.warn(
                    "Field labels of {} not stored ({}): a rename may be reported as a removal",
                    sobject,
                    e.getMessage());
        }
    }

    private static Map<String, String> labels(StateDocuments.Versioned stored) {
        Map<String, String> labels = new TreeMap<>();
        stored.document()
                .path("labels")
                .properties()
                .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }
}
