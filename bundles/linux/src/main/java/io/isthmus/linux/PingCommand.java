package io.isthmus.linux;

import io.isthmus.api.linux.EchoStream;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Pinger;
import io.isthmus.api.net.Ipv4Address;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The Pinger service: one {@code ping -n -c 1 -W <s> -s <size> -I <source> <target>} per single echo, and one
 * long-lived {@code ping -O -i <interval>} per {@link EchoStream} (iputils; raw sockets need its capabilities).
 * Both addresses are typed, so nothing but an address reaches the argv.
 */
@Component(service = Pinger.class, configurationPid = LinuxConfig.PID)
public class PingCommand implements Pinger {
    /** ping refuses shorter intervals to users other than root. */
    static final Duration MIN_INTERVAL = Duration.ofMillis(200);
    static final int MAX_PAYLOAD = 65_507;
    /** Room for the process to start and exit around ping's own wait. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    /** The -q summary: "rtt min/avg/max/mdev = 0.027/0.027/0.027/0.000 ms". */
    private static final Pattern RTT = Pattern.compile("= ([0-9.]+)/");

    private final Namespace namespace;
    private final ProcessRunner longLived;
    private final Logger log;
    private final AtomicInteger streams = new AtomicInteger();
    /** Every stream's loss deadlines: one thread for all of them. */
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "isthmus-ping-deadlines");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public PingCommand(LinuxConfig config, BundleContext context,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this(Namespace.of(config.netns()), Optional.of(ChildRecords.of(context, log)), log);
    }

    PingCommand(Namespace namespace, Logger log) {
        this(namespace, Optional.empty(), log);
    }

    private PingCommand(Namespace namespace, Optional<ChildRecords> children, Logger log) {
        this.namespace = namespace;
        this.longLived = new ProcessRunner(namespace, IpKernel.TIMEOUT, children);
        this.log = log;
    }

    @Deactivate
    void deactivate() {
        // the streams' owners close them as their own references go; the deadlines stop with us
        deadlines.shutdownNow();
    }

    @Override
    public EchoStream stream(Ipv4Address source, Ipv4Address target, int payloadBytes, Duration interval,
            Duration timeout, EchoStream.Outcomes outcomes) throws KernelException {
        argv(source, target, payloadBytes, timeout); // the same checks as one echo
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw new KernelException("ping interval " + interval.toMillis() + " ms is below the minimum of "
                    + MIN_INTERVAL.toMillis() + " ms");
        }
        PingStream stream = new PingStream(longLived, "isthmus-ping-" + streams.incrementAndGet() + "-" + target,
                PingStream.argv(source.toString(), target.toString(), payloadBytes, interval), interval, timeout,
                payloadBytes, outcomes, deadlines, log);
        stream.start();
        return stream;
    }

    @Override
    public Optional<Duration> ping(Ipv4Address source, Ipv4Address target, int payloadBytes, Duration timeout)
            throws KernelException {
        ProcessResult r = new ProcessRunner(namespace, timeout.plus(SLACK)).exec("ping",
                argv(source, target, payloadBytes, timeout), null);
        // exit 1: no reply; 2: an error (ping says which)
        if (r.exitCode() == 1) {
            return Optional.empty();
        }
        if (!r.ok()) {
            throw new KernelException(r.describe());
        }
        return Optional.of(rtt(r.stdout()));
    }

    static List<String> argv(Ipv4Address source, Ipv4Address target, int payloadBytes, Duration timeout)
            throws KernelException {
        if (payloadBytes < 0 || payloadBytes > MAX_PAYLOAD) {
            throw new KernelException("ping payload " + payloadBytes + " is out of range 0.." + MAX_PAYLOAD);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new KernelException("ping timeout must be positive: " + timeout);
        }
        String seconds = String.format(Locale.ROOT, "%.3f", timeout.toMillis() / 1000.0);
        return List.of("-n", "-q", "-c", "1", "-W", seconds, "-s", String.valueOf(payloadBytes), "-I",
                source.toString(), target.toString());
    }

    /** ping measures the time only with a payload of 16 bytes or more (the payload carries the send time). */
    static Duration rtt(String stdout) {
        Matcher m = RTT.matcher(stdout);
        return m.find() ? Duration.ofNanos(Math.round(Double.parseDouble(m.group(1)) * 1_000_000)) : Duration.ZERO;
    }
}
