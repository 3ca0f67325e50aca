package io.sfcache.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.sync.StateDocuments;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The {@link FallbackWindow} in sync-state: one document ({@code cdc-mode}), shared by every replica. */
final class CdcModeDocument implements FallbackWindow.Store {

    static final String ID = "cdc-mode";

    private final StateDocuments documents;
    private final String id;

    /** @param id {@value #ID}; tests give each its own */
    CdcModeDocument(StateDocuments documents, String id) {
        this.documents = documents;
        this.id = id;
    }

    @Override
    public Optional<FallbackWindow.Stored> read() {
        return documents.read(id).map(stored -> {
            JsonNode doc = stored.document();
            Map<String, Instant> troubled = new TreeMap<>();
            doc.path("troubled").properties().forEach(e -> troubled.put(e.getKey(), instant(e.getValue())));
            return new FallbackWindow.Stored(
                    new FallbackWindow.Window(
                            instant(doc.path("unhealthySince")),
                            instant(doc.path("healthySince")),
                            troubled,
                            doc.path("operatorOn").asBoolean(false)),
                    stored.etag());
        });
    }

    @Override
    public boolean write(FallbackWindow.Window window, String etag) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("id", id);
        doc.put("kind", "cdc-mode");
        doc.put("unhealthySince", text(window.unhealthySince()));
        doc.put("healthySince", text(window.healthySince()));
        ObjectNode troubled = doc.putObject("troubled");
        window.troubled().forEach((replica, said) -> troubled.put(replica, said.toString()));
        doc.put("operatorOn", window.operatorOn());
        return documents.write(doc, etag);
    }

    private static Instant instant(JsonNode node) {
        return node.isTextual() ? Instant.parse(node.asText()) : null;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
