package io.isthmus.linux;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.log.Logger;

/**
 * The long-lived children of this gateway (ip monitor, udhcpc, smcrouted, avahi-daemon, wpa_supplicant), one file
 * each in the bundle's data area: the child's pid and start time (from {@code /proc/<pid>/stat}) and the same of
 * the gateway that started it. A gateway killed with SIGKILL cannot stop its children; they die with it by their
 * parent-death signal ({@link ProcessRunner#startLongLived}), and whatever still runs (no setpriv, or the instant
 * between fork and prctl) is ended by the next start's {@link #sweep}. A recorded pid is only signalled while the
 * process with that pid has the recorded start time: a recycled pid is never killed.
 */
final class ChildRecords {
    /** A process as the kernel identifies it over time: pid and start time (clock ticks after boot). */
    record Identity(long pid, long startTime) {
        static Optional<Identity> of(long pid) {
            return ChildRecords.startTime(pid).map(t -> new Identity(pid, t));
        }

        /** Still the same process, and not a zombie (which no signal ends; its parent reaps it). */
        boolean alive() {
            return stat(pid).filter(f -> !f[0].equals("Z") && Long.parseLong(f[19]) == startTime).isPresent();
        }
    }

    record Record(String name, Identity child, Identity owner, String command) {
    }

    private static final String SUFFIX = ".child";
    private static final Duration GRACE = Duration.ofSeconds(2);

    private final Path dir;
    private final Identity self;
    private final Logger log;

    ChildRecords(Path dir, Identity self, Logger log) {
        this.dir = dir;
        this.self = self;
        this.log = log;
    }

    /** The records of this bundle, after the leftovers of an earlier gateway have been ended. */
    static ChildRecords of(BundleContext context, Logger log) {
        File dir = context.getDataFile("children");
        if (dir == null) {
            throw new IllegalStateException("the framework gives this bundle no data area");
        }
        long pid = ProcessHandle.current().pid();
        ChildRecords records = new ChildRecords(dir.toPath(), Identity.of(pid).orElse(new Identity(pid, -1)), log);
        records.sweep();
        return records;
    }

    /** A child started; {@code name} is unique among this gateway's children (the supervisor's name). */
    void started(String name, Process process, String executable, List<String> args) {
        Optional<Identity> child = Identity.of(process.pid());
        if (child.isEmpty()) {
            return; // gone already
        }
        String text = child.get().pid() + " " + child.get().startTime() + " " + self.pid() + " " + self.startTime()
                + "\n" + executable + " " + String.join(" ", args) + "\n";
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(name + SUFFIX + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(name + SUFFIX), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // a full disk: the parent-death signal still ends it with the gateway
            log.warn("{}: cannot record child {} ({}): {}", name, process.pid(), dir, e.getMessage());
        }
    }

    /** The child ended (its supervisor waited for it): forget it, unless the record is already a newer one's. */
    void ended(String name, Process process) {
        Path file = dir.resolve(name + SUFFIX);
        read(file).filter(r -> r.child().pid() == process.pid()).ifPresent(r -> delete(file));
    }

    /**
     * Ends every recorded child of another gateway (an earlier, killed one) that still runs: SIGTERM, then SIGKILL
     * after a grace period. Records of this gateway's own children are left alone. Returns what was ended.
     */
    List<Record> sweep() {
        List<Record> ended = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return ended;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                Optional<Record> r = read(file);
                if (r.isPresent() && r.get().owner().equals(self)) {
                    continue; // ours
                }
                if (r.isPresent() && r.get().child().alive() && end(r.get())) {
                    ended.add(r.get());
                }
                delete(file);
            }
        } catch (IOException e) {
            log.warn("cannot look for children of an earlier gateway in {}: {}", dir, e.getMessage());
        }
        return ended;
    }

    private boolean end(Record r) {
        Optional<ProcessHandle> h = ProcessHandle.of(r.child().pid());
        if (h.isEmpty() || !r.child().alive()) {
            return false;
        }
        log.warn("{}: ending pid {} ({}), left running by an earlier gateway (pid {})", r.name(), r.child().pid(),
                r.command(), r.owner().pid());
        h.get().destroy();
        try {
            h.get().onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            if (r.child().alive()) {
                h.get().destroyForcibly();
                try {
                    h.get().onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception ignored) {
                    // still there after SIGKILL: in uninterruptible sleep; nothing more to do
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // onExit does not fail
        }
        return true;
    }

    private Optional<Record> read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            String[] f = lines.get(0).trim().split(" ");
            String name = file.getFileName().toString();
            return Optional.of(new Record(name.substring(0, name.length() - SUFFIX.length()),
                    new Identity(Long.parseLong(f[0]), Long.parseLong(f[1])),
                    new Identity(Long.parseLong(f[2]), Long.parseLong(f[3])), lines.size() > 1 ? lines.get(1) : ""));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // torn by a crash while written: nothing to trust in it
        }
    }

    private void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", file, e.getMessage());
        }
    }

    /** Field 22 of /proc/PID/stat, counted after the command name (which may hold spaces and parentheses). */
    static Optional<Long> startTime(long pid) {
        return stat(pid).map(f -> Long.parseLong(f[19]));
    }

    /** The fields of /proc/PID/stat from field 3 (the state) on. */
    private static Optional<String[]> stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            Long.parseLong(after[19]);
            return Optional.of(after);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
