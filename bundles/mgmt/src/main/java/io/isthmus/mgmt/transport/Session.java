package io.isthmus.mgmt.transport;

import io.isthmus.api.config.ManagementConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Keeps one MQTT connection up, with our own reconnect loop (Paho's automatic reconnect is off: it keeps static
 * state and has no jitter): brokers tried in order, exponential backoff with jitter between rounds, an immediate
 * new attempt when asked (a new document, an uplink switch, a commit check). A connection that is replaced or lost
 * is closed and never reused, so each attempt starts from a clean client. Only the connection in force when the
 * session closes ends with a clean DISCONNECT (the agent has said goodbye on it); every other one ends keeping its
 * Last Will ({@link Transport#drop}), so the state never stays online while the gateway cannot be reached.
 */
public final class Session implements AutoCloseable {

    /** What to connect to: the document's management section, for this device's topics. */
    public record Target(ManagementConfig config, Topics topics) {
    }

    /** Builds the endpoints at each attempt (a password file or certificate may have changed). */
    public interface Endpoints {
        List<Endpoint> build(Target target) throws Exception;
    }

    public interface Factory {
        Transport create(Endpoint endpoint, Transport.Listener listener) throws Exception;
    }

    public interface Listener {
        /** On the session thread, right after connect and subscribe: publish the state. */
        void connected(Transport transport);

        void arrived(Transport.Incoming message);
    }

    /** What status reports about the channel. */
    public record Health(boolean connected, Optional<String> broker, Optional<Instant> since, long connects,
            Optional<String> lastError) {
    }

    private final Factory factory;
    private final Endpoints endpoints;
    private final Listener listener;
    private final Backoff backoff;
    private final Duration connectTimeout;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread thread;
    private Optional<Target> target = Optional.empty();
    private Transport current;
    private long requested;
    private long served = -1;
    private long connects;
    private Instant since;
    private Instant lostAt = Instant.MIN;
    private String lastError;
    private boolean closed;

    public Session(Factory factory, Endpoints endpoints, Listener listener, Backoff backoff, Duration connectTimeout,
            Clock clock) {
        this.factory = factory;
        this.endpoints = endpoints;
        this.listener = listener;
        this.backoff = backoff;
        this.connectTimeout = connectTimeout;
        this.clock = clock;
        this.thread = new Thread(this::run, "isthmus-mgmt-session");
        thread.setDaemon(true);
        thread.start();
    }

    /** A new target reconnects at once; the same target again changes nothing. */
    public void configure(Optional<Target> newTarget) {
        lock.lock();
        try {
            if (!newTarget.equals(target)) {
                target = newTarget;
                requested++;
                backoff.reset();
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Drops the connection and connects again now; returns a ticket for {@link #awaitConnected}. */
    public long reconnect() {
        lock.lock();
        try {
            requested++;
            backoff.reset();
            changed.signalAll();
            return requested;
        } finally {
            lock.unlock();
        }
    }

    /** True once a connection made after the ticket was issued is up, within the timeout. */
    public boolean awaitConnected(long ticket, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!(served >= ticket && current != null && current.connected())) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return false;
                }
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The connection, when up. */
    public Optional<Transport> transport() {
        lock.lock();
        try {
            return current != null && current.connected() ? Optional.of(current) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** Connected now, or a connection was up less than {@code recently} ago. */
    public boolean onlineWithin(Duration recently) {
        lock.lock();
        try {
            return (current != null && current.connected()) || lostAt.isAfter(clock.instant().minus(recently));
        } finally {
            lock.unlock();
        }
    }

    public boolean enabled() {
        lock.lock();
        try {
            return target.isPresent();
        } finally {
            lock.unlock();
        }
    }

    public Health health() {
        lock.lock();
        try {
            boolean up = current != null && current.connected();
            return new Health(up, up ? Optional.of(current.broker()) : Optional.empty(),
                    up ? Optional.ofNullable(since) : Optional.empty(), connects, Optional.ofNullable(lastError));
        } finally {
            lock.unlock();
        }
    }

    /** Ends the session without a goodbye: the connection ends keeping its Last Will. */
    @Override
    public void close() {
        close(transport -> false);
    }

    /**
     * Ends the session: the reconnect loop stops first, then {@code goodbye} is offered the connection in force, if
     * one is up; when it said goodbye on it (true) the connection ends with a clean DISCONNECT, else keeping its
     * Last Will ({@link Transport#drop}) — a clean end without the goodbye would leave the state saying online.
     */
    public void close(Predicate<Transport> goodbye) {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Transport last = take(); // the loop has stopped: no attempt makes another current now
        if (last == null) {
            return;
        }
        if (last.connected() && goodbye.test(last)) {
            last.close();
        } else {
            last.drop();
        }
    }

    private void run() {
        try {
            while (true) {
                Target t;
                long ticket;
                boolean lost;
                lock.lock();
                try {
                    while (!closed && (target.isEmpty() || (current != null && current.connected()
                            && served == requested))) {
                        changed.await();
                    }
                    if (closed) {
                        return;
                    }
                    t = target.get();
                    // Awake with nothing new asked: the connection died. Wait a little, so a broker that
                    // drops us at once (an ACL, a duplicate client id) does not make us spin.
                    lost = current != null && served == requested;
                    ticket = requested;
                } finally {
                    lock.unlock();
                }
                drop(); // on purpose (a new target, a reconnect) or after it was lost: the Last Will stays in force
                if (lost) {
                    pause(ticket);
                }
                if (!attempt(t, ticket)) {
                    pause(ticket);
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /** One round over the brokers; true when connected. */
    private boolean attempt(Target t, long ticket) {
        List<Endpoint> list;
        try {
            list = endpoints.build(t);
        } catch (Exception e) {
            noteError("cannot prepare the connection: " + ConnectionErrors.describe(e));
            return false;
        }
        for (Endpoint endpoint : list) {
            Transport transport = null;
            try {
                Transport[] self = new Transport[1];
                transport = factory.create(endpoint, new Transport.Listener() {
                    @Override
                    public void arrived(Transport.Incoming message) {
                        listener.arrived(message);
                    }

                    @Override
                    public void lost(String why) {
                        connectionLost(self[0], why);
                    }
                });
                self[0] = transport;
                transport.connect(t.topics().commands(), connectTimeout);
            } catch (Exception e) {
                boolean certificate = endpoint.secure() && t.config().tls().certFile().isPresent();
                noteError(endpoint.broker() + ": " + ConnectionErrors.describe(e) + (certificate
                        ? TlsErrors.closedAfterHandshake(e).orElse("") : ""));
                if (transport != null) {
                    // it may be connected at the broker (interrupted while subscribing): it said no goodbye, so its
                    // end keeps the Last Will, which the connection it replaced has left in force
                    transport.drop();
                }
                continue;
            }
            lock.lock();
            try {
                current = transport;
                served = ticket;
                connects++;
                since = clock.instant();
                backoff.reset();
            } finally {
                lock.unlock();
            }
            listener.connected(transport);
            signal();
            return true;
        }
        return false;
    }

    private void pause(long ticket) throws InterruptedException {
        Duration wait = backoff.next();
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (!closed && requested == ticket) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private void connectionLost(Transport transport, String why) {
        lock.lock();
        try {
            if (transport != current) {
                return; // a connection we replaced on purpose
            }
            lastError = "connection lost: " + why;
            lostAt = clock.instant();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the current connection to make another (outside the lock: it waits for the network), keeping its Last
     * Will in force ({@link Transport#drop}): should the next connection not come in time, the state says offline.
     */
    private void drop() {
        Optional.ofNullable(take()).ifPresent(Transport::drop);
    }

    /** The current connection, no longer current. */
    private Transport take() {
        lock.lock();
        try {
            Transport old = current;
            current = null;
            return old;
        } finally {
            lock.unlock();
        }
    }

    private void noteError(String error) {
        lock.lock();
        try {
            lastError = error;
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
