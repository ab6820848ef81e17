package io.isthmus.mgmt.transport;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Moves the outbox to the broker while connected: up to {@code window} QoS 1 publishes in flight, each removed
 * from the outbox only when the broker acknowledged it. What was in flight when a connection died is sent again
 * on the next one (at least once; every event and reply carries an id for that).
 */
public final class Sender implements AutoCloseable {
    static final long SAFETY_NET_SECONDS = 30;
    private final Outbox outbox;
    private final Session session;
    private final int window;
    private final Map<Long, Transport> inFlight = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Thread thread;
    private volatile boolean closed;
    private boolean signalled;

    public Sender(Outbox outbox, Session session, int window) {
        this.outbox = outbox;
        this.session = session;
        this.window = window;
        this.thread = new Thread(this::run, "isthmus-mgmt-outbox");
        thread.setDaemon(true);
        thread.start();
    }

    /** Something changed: a message queued, a connection came up, an acknowledgement arrived. */
    public void signal() {
        lock.lock();
        try {
            signalled = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public int inFlight() {
        return inFlight.size();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (!closed) {
                Optional<Transport> transport = session.transport();
                int sent = transport.map(this::sendSome).orElse(0);
                if (sent == 0) {
                    await();
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private int sendSome(Transport transport) {
        // Messages handed to a connection that has since gone are not coming back: send them again.
        inFlight.values().removeIf(t -> t != transport);
        int room = window - inFlight.size();
        if (room <= 0) {
            return 0;
        }
        List<Outbox.Entry> entries = outbox.head(room, inFlight.keySet());
        for (Outbox.Entry e : entries) {
            inFlight.put(e.seq(), transport);
            Outbox.Message m = e.message();
            transport.publish(m.topic(), m.payload(), m.retained(), m.correlation()).whenComplete((ok, failed) -> {
                // Out of the outbox before out of the in-flight set: the other way round, the sender could
                // pick the message up again in between and send it twice.
                // refused by the broker (an ACL): sending it again cannot help, it goes as an acknowledged one
                if (failed == null || failed instanceof BrokerRefused) {
                    outbox.done(e.seq());
                }
                inFlight.remove(e.seq(), transport);
                signal();
            });
        }
        return entries.size();
    }

    private void await() throws InterruptedException {
        lock.lock();
        try {
            if (!signalled) {
                // every change signals (queued, connected, acknowledged); the timeout is only a safety net, long
                // so that an idle gateway does not wake for it (idle CPU)
                wake.await(SAFETY_NET_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            }
            signalled = false;
        } finally {
            lock.unlock();
        }
    }
}
