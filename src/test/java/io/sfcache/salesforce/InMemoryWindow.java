package io.sfcache.salesforce;

import java.util.Optional;
import java.util.UUID;

/** A {@link FallbackWindow.Store} over a field with ETags, for the window's timing without Cosmos. */
final class InMemoryWindow implements FallbackWindow.Store {

    private FallbackWindow.Stored stored;

    @Override
    public synchronized Optional<FallbackWindow.Stored> read() {
        return Optional.ofNullable(stored);
    }

    @Override
    public synchronized boolean write(FallbackWindow.Window window, String etag) {
        if (stored == null ? etag != null : !stored.etag().equals(etag)) {
            return false;
        }
        stored = new FallbackWindow.Stored(window, UUID.randomUUID().toString());
        return true;
    }
}
