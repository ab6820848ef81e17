package io.isthmus.linux;

import io.isthmus.api.linux.DhcpClients.DhcpListener;
import io.isthmus.api.linux.DhcpLease;
import io.isthmus.api.linux.KernelException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.service.log.Logger;

/**
 * One udhcpc process for one device, in the foreground, restarted with back-off if it dies. Its script only
 * prints events; this class turns them into leases for the listener (called on this client's own thread).
 */
final class UdhcpcClient {
    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final long MIN_BACKOFF_MS = 500;
    private static final long MAX_BACKOFF_MS = 30_000;
    private static final long STABLE_MS = 60_000;

    private final String device;
    private final boolean useRouter;
    private final ProcessRunner runner;
    private final String executable;
    private final List<String> args;
    private final Logger log;
    private final AtomicReference<Optional<DhcpLease>> lease = new AtomicReference<>(Optional.empty());
    private final Thread thread;
    private volatile DhcpListener listener;
    private volatile boolean stopping;
    private volatile Process process;

    UdhcpcClient(String device, boolean useRouter, ProcessRunner runner, String executable, List<String> args,
            DhcpListener listener, Logger log) {
        this.device = device;
        this.useRouter = useRouter;
        this.runner = runner;
        this.executable = executable;
        this.args = List.copyOf(args);
        this.listener = listener;
        this.log = log;
        this.thread = new Thread(this::run, "isthmus-dhcp-" + device);
        this.thread.setDaemon(true);
    }

    boolean useRouter() {
        return useRouter;
    }

    void listener(DhcpListener listener) {
        this.listener = listener;
    }

    Optional<DhcpLease> lease() {
        return lease.get();
    }

    void start() {
        thread.start();
    }

    /** SIGTERM makes udhcpc (started with -R) release the lease; its last events are still delivered. */
    void stop() {
        stopping = true;
        Process p = process;
        if (p != null) {
            ProcessRunner.stop(p, GRACE);
        }
        thread.interrupt(); // ends a back-off wait; reading the pipe is not interruptible and ends at EOF
        if (Thread.currentThread() != thread) {
            try {
                thread.join(GRACE.toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long backoff = MIN_BACKOFF_MS;
        while (!stopping) {
            long started = System.nanoTime();
            try {
                runOnce();
            } catch (KernelException | IOException e) {
                log.error("DHCP client on {} failed: {}", device, e.getMessage());
            } catch (InterruptedException e) {
                break;
            }
            if (lease.get().isPresent()) {
                deliver(Optional.empty()); // no client, no lease
            }
            if (stopping) {
                break;
            }
            if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) > STABLE_MS) {
                backoff = MIN_BACKOFF_MS;
            }
            log.warn("DHCP client on {} ended; restarting in {} ms", device, backoff);
            try {
                Thread.sleep(backoff); // back-off before a restart, not synchronisation
            } catch (InterruptedException e) {
                break;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }

    private void runOnce() throws KernelException, IOException, InterruptedException {
        Process p = runner.startLongLived(executable, args);
        process = p;
        if (stopping) { // stop() may have looked before we stored the process
            ProcessRunner.stop(p, GRACE);
        }
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                String l = line;
                UdhcpcEvent.parse(device, l, useRouter).ifPresentOrElse(e -> {
                    log.info("DHCP {} on {}: {}", e.event(), device, e.lease().map(Object::toString).orElse("no lease"));
                    deliver(e.lease());
                }, () -> log.debug("udhcpc {}: {}", device, l));
            }
        }
        int code = p.waitFor();
        if (!stopping) {
            log.warn("udhcpc on {} exited with {}", device, code);
        }
    }

    private void deliver(Optional<DhcpLease> now) {
        lease.set(now);
        try {
            listener.leaseChanged(device, now);
        } catch (RuntimeException e) {
            log.error("DHCP listener failed on {}", device, e);
        }
    }
}
