package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.TimeSync;
import io.isthmus.api.net.Ipv4Cidr;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * chrony.conf for the gateway's chronyd, a pure function of its {@link TimeSync}. Everything chronyd keeps lives in
 * the gateway's own directories (drift file in the state dir; pid file and command socket in a run dir of this
 * bundle), never in the system's /run/chrony or /var/lib/chrony, so a distribution's chronyd and chronyc are not
 * touched. No UDP command port: chronyc reaches it only over its Unix socket. Without a subnet to serve there is no
 * {@code allow}, and chronyd then answers no NTP client at all.
 */
final class ChronyConfig {
    /** A host name (labels of letters, digits and -) or an IPv4 address: nothing that could end a config line. */
    private static final Pattern SERVER = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]"
            + "([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private static final String HEADER = "# written by Isthmus (io.isthmus.linux) from the network document; do not "
            + "edit\n";

    private ChronyConfig() {
    }

    static String render(TimeSync sync, Path driftFile, Path runDir) throws KernelException {
        return render(sync, driftFile, runDir, true);
    }

    /**
     * The same; without {@code setClock} (chronyd -x) there is no {@code makestep}: -x refuses every step ("Could not
     * step system clock") and chronyd then reports a clock years off as synchronised with no offset, whereas without
     * it chronyd counts the whole offset as its correction, which {@code time.status} and the TLS clock check read.
     */
    static String render(TimeSync sync, Path driftFile, Path runDir, boolean setClock) throws KernelException {
        StringBuilder c = new StringBuilder(HEADER);
        servers(c, sync);
        line(c, "driftfile " + driftFile);
        line(c, "pidfile " + runDir.resolve("chronyd.pid"));
        line(c, "bindcmdaddress " + socket(runDir));
        line(c, "cmdport 0");
        if (setClock) {
            // a clock far off at boot (no RTC battery) is stepped at once, later ones slewed
            line(c, "makestep 1 3");
        }
        allows(c, sync);
        return c.toString();
    }

    /**
     * The system chronyd's sources file (its {@code sourcedir}, reread on {@code chronyc reload sources}): only the
     * servers; empty when nothing is kept.
     */
    static String sources(Optional<TimeSync> sync) throws KernelException {
        StringBuilder c = new StringBuilder(HEADER);
        if (sync.isPresent()) {
            servers(c, sync.get());
        }
        return c.toString();
    }

    /**
     * The system chronyd's included file: the subnets it serves, read when it starts (a crash-restart keeps serving
     * them; the running daemon gets them through {@link #subnets}); empty when nothing is kept.
     */
    static String allowed(Optional<TimeSync> sync) {
        StringBuilder c = new StringBuilder(HEADER);
        sync.ifPresent(s -> allows(c, s));
        return c.toString();
    }

    /** The served subnets as chronyc's {@code allow} takes them. */
    static List<String> subnets(Optional<TimeSync> sync) {
        return sync.map(s -> s.serve().stream().map(n -> n.network().toString()).toList()).orElse(List.of());
    }

    private static void servers(StringBuilder c, TimeSync sync) throws KernelException {
        for (String server : sync.servers()) {
            if (!SERVER.matcher(server).matches()) {
                throw new KernelException("invalid NTP server for chronyd: " + server);
            }
            line(c, "server " + server + " iburst");
        }
    }

    private static void allows(StringBuilder c, TimeSync sync) {
        for (Ipv4Cidr subnet : sync.serve()) {
            line(c, "allow " + subnet.network());
        }
    }

    static Path socket(Path runDir) {
        return runDir.resolve("chronyd.sock");
    }

    private static void line(StringBuilder c, String line) {
        c.append(line).append('\n');
    }
}
