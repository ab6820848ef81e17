package io.isthmus.api.net;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What a port driver tells {@link PortStatusListener}s: the current status of its ports, passed to every
 * listener when a port's status changes, and all of it to a listener that arrives. One per driver; a driver
 * binds its dynamic listener reference to {@link #add}/{@link #remove} and answers
 * {@link PortDriver#status()} with {@link #all()}.
 */
@ProviderType
public final class PortStatusBoard {
    private final List<PortStatusListener> listeners = new CopyOnWriteArrayList<>();
    private final BiPredicate<PortStatus, PortStatus> sameNews;
    private volatile Map<String, PortStatus> current = Map.of();

    public PortStatusBoard() {
        this(PortStatus::equals);
    }

    /**
     * @param sameNews whether a port's new status is no news against its previous one (e.g. a WiFi signal level
     *                 that moves all the time is shown in status but does not wake every listener)
     */
    public PortStatusBoard(BiPredicate<PortStatus, PortStatus> sameNews) {
        this.sameNews = sameNews;
    }

    public void add(PortStatusListener listener) {
        listeners.add(listener);
        current.values().forEach(listener::portChanged);
    }

    public void remove(PortStatusListener listener) {
        listeners.remove(listener);
    }

    public List<PortStatus> all() {
        return List.copyOf(current.values());
    }

    public Optional<PortStatus> get(String port) {
        return Optional.ofNullable(current.get(port));
    }

    /** Replaces every port's status and tells the listeners of each that changed; from one thread at a time. */
    public void publish(Map<String, PortStatus> next) {
        Map<String, PortStatus> previous = current;
        current = Map.copyOf(next);
        next.forEach((name, s) -> {
            PortStatus before = previous.get(name);
            if (before == null || !sameNews.test(s, before)) {
                listeners.forEach(l -> l.portChanged(s));
            }
        });
    }
}
