package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Pinger;
import io.isthmus.api.net.Ipv4Address;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The Pinger service: one {@code ping -n -c 1 -W <s> -s <size> -I <source> <target>} per echo (iputils; raw
 * sockets need its capabilities). Both addresses are typed, so nothing but an address reaches the argv.
 */
@Component(service = Pinger.class, configurationPid = LinuxConfig.PID)
public class PingCommand implements Pinger {
    static final int MAX_PAYLOAD = 65_507;
    /** Room for the process to start and exit around ping's own wait. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    /** The -q summary: "rtt min/avg/max/mdev = 0.027/0.027/0.027/0.000 ms". */
    private static final Pattern RTT = Pattern.compile("= ([0-9.]+)/");

    private final Namespace namespace;

    @Activate
    public PingCommand(LinuxConfig config) {
        this(Namespace.of(config.netns()));
    }

    PingCommand(Namespace namespace) {
        this.namespace = namespace;
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
