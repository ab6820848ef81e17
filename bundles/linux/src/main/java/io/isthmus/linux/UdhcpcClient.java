package io.isthmus.linux;

import io.isthmus.api.linux.DhcpClients.DhcpListener;
import io.isthmus.api.linux.DhcpLease;
import io.isthmus.api.linux.KernelException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.service.log.Logger;

/**
 * One udhcpc process for one device, in the foreground, restarted with back-off if it dies. Its script only
 * prints events; this class turns them into leases for the listener (called on this client's own thread).
 */
final class UdhcpcClient {
    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final SupervisedProcess.Backoff BACKOFF = new SupervisedProcess.Backoff(Duration.ofMillis(500),
            Duration.ofSeconds(30), Duration.ofSeconds(60));

    private final String device;
    private final boolean useRouter;
    private final Logger log;
    private final AtomicReference<Optional<DhcpLease>> lease = new AtomicReference<>(Optional.empty());
    private final SupervisedProcess process;
    private final ProcessRunner runner;
    private volatile DhcpListener listener;

    UdhcpcClient(String device, boolean useRouter, ProcessRunner runner, String executable, List<String> args,
            DhcpListener listener, Logger log) {
        this.device = device;
        this.useRouter = useRouter;
        this.listener = listener;
        this.log = log;
        this.runner = runner;
        this.process = new SupervisedProcess("isthmus-dhcp-" + device, runner, executable, args, BACKOFF,
                new SupervisedProcess.Handler() {
                    @Override
                    public void started() {
                        // udhcpc reports its own first state (deconfig)
                    }

                    @Override
                    public void line(String line) {
                        handle(line);
                    }

                    @Override
                    public void ended() {
                        if (lease.get().isPresent()) {
                            deliver(Optional.empty()); // no client, no lease
                        }
                    }
                }, log);
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
        process.start();
    }

    /**
     * Ends the client and keeps the lease: the address stays on the port while its owner is away (a bundle
     * update, a restart), and the next client renews it.
     */
    void stop() {
        process.stop(GRACE);
    }

    /**
     * Gives the lease back (SIGUSR2, then SIGTERM), for a port that no longer uses DHCP. udhcpc sends the
     * release from the leased address: the caller removes that address after this, not before.
     */
    void releaseAndStop() {
        process.process().ifPresent(p -> {
            try {
                runner.run("kill", List.of("-USR2", Long.toString(p.pid())));
            } catch (KernelException e) {
                log.warn("DHCP release on {} failed: {}", device, e.getMessage());
            }
        });
        process.stop(GRACE);
    }

    private void handle(String line) {
        UdhcpcEvent.parse(device, line, useRouter).ifPresentOrElse(e -> {
            log.info("DHCP {} on {}: {}", e.event(), device, e.lease().map(Object::toString).orElse("no lease"));
            deliver(e.lease());
        }, () -> log.debug("udhcpc {}: {}", device, line));
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
