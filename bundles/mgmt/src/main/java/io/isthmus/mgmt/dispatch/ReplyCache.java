package io.isthmus.mgmt.dispatch;

import io.isthmus.api.mgmt.CommandReply;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Request ids seen within a window, with their (possibly still pending) reply: a repeated id gets the first
 * reply instead of running the command twice. Bounded in size; the oldest ids go first.
 */
public final class ReplyCache {
    private record Seen(CompletableFuture<CommandReply> reply, long atNanos) {
    }

    private final long windowNanos;
    private final int maxEntries;
    private final LongSupplier nanos;
    private final LinkedHashMap<String, Seen> seen = new LinkedHashMap<>();

    public ReplyCache(Duration window, int maxEntries, LongSupplier nanos) {
        this.windowNanos = window.toNanos();
        this.maxEntries = maxEntries;
        this.nanos = nanos;
    }

    /**
     * The reply of an earlier request with this id, or empty after registering {@code fresh} as this id's reply.
     */
    synchronized java.util.Optional<CompletableFuture<CommandReply>> firstOrRegister(String id,
            CompletableFuture<CommandReply> fresh) {
        long now = nanos.getAsLong();
        expire(now);
        Seen earlier = seen.get(id);
        if (earlier != null) {
            return java.util.Optional.of(earlier.reply());
        }
        seen.put(id, new Seen(fresh, now));
        return java.util.Optional.empty();
    }

    synchronized int size() {
        return seen.size();
    }

    private void expire(long now) {
        for (Iterator<Map.Entry<String, Seen>> it = seen.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Seen> e = it.next();
            if (now - e.getValue().atNanos() > windowNanos || seen.size() >= maxEntries) {
                it.remove();
            } else {
                break;
            }
        }
    }
}
