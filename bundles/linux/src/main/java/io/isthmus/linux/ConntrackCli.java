package io.isthmus.linux;

import io.isthmus.api.linux.Conntrack;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.net.Ipv4Address;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** The Conntrack service over the {@code conntrack} tool (Debian package conntrack). */
@Component(service = Conntrack.class, configurationPid = LinuxConfig.PID)
public class ConntrackCli implements Conntrack {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** conntrack reports on stderr, and exits 1 when nothing matched. */
    private static final Pattern DELETED = Pattern.compile("(\\d+) flow entries have been deleted");

    private final ProcessRunner runner;

    @Activate
    public ConntrackCli(LinuxConfig config) {
        this(new ProcessRunner(Namespace.of(config.netns()), TIMEOUT));
    }

    ConntrackCli(ProcessRunner runner) {
        this.runner = runner;
    }

    @Override
    public int deleteNatedTo(Ipv4Address address) throws KernelException {
        ProcessResult r = runner.exec("conntrack", List.of("-D", "-f", "ipv4", "--reply-dst", address.toString()),
                null);
        Matcher m = DELETED.matcher(r.stderr());
        if (m.find()) {
            return Integer.parseInt(m.group(1));
        }
        throw new KernelException(r.describe());
    }
}
