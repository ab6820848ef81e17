package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The gateway's long-lived children (ip monitor, udhcpc, and the daemons when the document asks for them) when the
 * gateway is killed with SIGKILL, as a power cut or the OOM killer does it, with no service manager around: none
 * of them outlives the gateway, and the next start runs each of them exactly once.
 */
public class ChildProcessesIT {
    /** Programs the gateway keeps running (docs/running.md); short-lived children (udhcpc's script) are left out. */
    static final Set<String> LONG_LIVED = Set.of("ip", "udhcpc", "smcrouted", "avahi-daemon", "wpa_supplicant");

    @Rule
    public Timeout timeout = Timeout.seconds(240);

    static DeployLab env;

    /** A process over time: a pid is only the same process while its start time is the same. */
    record Child(long pid, long startTime, String command) {
        boolean alive() {
            return ChildProcessesIT.startTime(pid).filter(t -> t == startTime).isPresent();
        }
    }

    @BeforeClass
    public static void up() throws Exception {
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        env = DeployLab.up("children");
    }

    @AfterClass
    public static void down() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    @Test
    public void killedWithSigkillTheGatewayLeavesNoChildAndTheNextStartRunsEachOnce() throws Exception {
        env.startGateway();
        long jvm = env.gateway.pid();
        assertTrue("ip monitor and udhcpc run: " + children(jvm), Lab.within(Duration.ofSeconds(20), () -> {
            List<Child> c = children(jvm);
            return c.stream().anyMatch(x -> x.command().contains("monitor link"))
                    && c.stream().anyMatch(x -> x.command().contains("udhcpc"));
        }) >= 0);
        List<Child> before = children(jvm);
        String netns = netns(jvm).orElseThrow();

        env.killGateway();
        assertTrue("no child outlives the gateway; still running: " + before.stream().filter(Child::alive).toList(),
                Lab.within(Duration.ofSeconds(10), () -> before.stream().noneMatch(Child::alive)) >= 0);

        env.startGateway();
        long next = env.gateway.pid();
        Map<String, Long> expected = counts(before);
        assertTrue("after the restart each runs once in the gateway's namespace: expected " + expected + ", got "
                + counts(inNamespace(netns)), Lab.within(Duration.ofSeconds(20),
                        () -> counts(inNamespace(netns)).equals(expected)
                                && counts(children(next)).equals(expected)) >= 0);

        // Without setpriv, or in the instant between fork and prctl, a child can survive its gateway: then the next
        // start ends it, by the record (pid, start time) the gateway keeps of each child. Here the link monitor's
        // record is pointed at a real survivor started in its place.
        Path record = childRecord("isthmus-link-monitor");
        String[] owner = Files.readAllLines(record).get(0).split(" ");
        env.killGateway();
        List<String> cmd = new java.util.ArrayList<>(env.lab.inNamespace("gw"));
        cmd.addAll(List.of("ip", "-o", "monitor", "link"));
        Process survivor = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            Child left = Lab.within(Duration.ofSeconds(5), () -> child(survivor.pid()).filter(c -> c.command()
                    .startsWith("ip ")).isPresent()) >= 0 ? child(survivor.pid()).orElseThrow() : null;
            assertTrue("the survivor runs", left != null);
            Files.writeString(record, left.pid() + " " + left.startTime() + " " + owner[2] + " " + owner[3] + "\n"
                    + left.command() + "\n");
            env.startGateway();
            assertTrue("the survivor is ended by the next start", Lab.within(Duration.ofSeconds(10),
                    () -> !left.alive()) >= 0);
            assertTrue("and each child runs once: expected " + expected + ", got " + counts(inNamespace(netns)),
                    Lab.within(Duration.ofSeconds(20), () -> counts(inNamespace(netns)).equals(expected)) >= 0);
        } finally {
            survivor.destroyForcibly();
        }
    }

    /** The linux bundle's record of one child, in its data area under the state dir. */
    static Path childRecord(String name) throws IOException {
        try (Stream<Path> found = Files.find(env.state.resolve("cache"), 4, (p, a) -> p.getFileName().toString()
                .equals(name + ".child"))) {
            return found.findFirst().orElseThrow(() -> new AssertionError("no record of " + name));
        }
    }

    static Map<String, Long> counts(List<Child> children) {
        return children.stream().collect(Collectors.groupingBy(Child::command, TreeMap::new, Collectors.counting()));
    }

    /** The long-lived descendants of a process. */
    static List<Child> children(long pid) {
        return ProcessHandle.of(pid).map(h -> h.descendants().map(d -> child(d.pid())).flatMap(Optional::stream)
                .filter(c -> LONG_LIVED.contains(program(c.command()))).toList()).orElse(List.of());
    }

    /** Every long-lived process of those names in a network namespace, whoever its parent. */
    static List<Child> inNamespace(String netns) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]+")).map(Long::parseLong)
                    .filter(pid -> netns(pid).filter(netns::equals).isPresent()).map(ChildProcessesIT::child)
                    .flatMap(Optional::stream).filter(c -> LONG_LIVED.contains(program(c.command()))).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String program(String command) {
        String first = command.split(" ", 2)[0];
        return first.substring(first.lastIndexOf('/') + 1);
    }

    static Optional<Child> child(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String command = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
            return startTime(pid).filter(t -> !command.isEmpty()).map(t -> new Child(pid, t, command));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<String> netns(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Field 22 of /proc/PID/stat; empty when the process is gone or a zombie. */
    static Optional<Long> startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return "Z".equals(f[0]) ? Optional.empty() : Optional.of(Long.parseLong(f[19]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
