package io.isthmus.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A gateway disk image of distribution/images (built by its build.sh, cached per change of its inputs) and what
 * QEMU needs to boot it directly: kernel, initrd and command line next to the disk.
 */
record GatewayImage(String arch, Path disk, Path kernel, Path initrd, String cmdline) {

    static final Path OUT = Distribution.root().resolve("distribution/target/images");

    /**
     * Builds the image of {@code arch} unless it is up to date (distribution/images/build.sh decides: the slow
     * mmdebstrap stage is cached under /var/cache/isthmus/images per recipe and Depends, the image per .deb). The
     * build downloads Debian packages, so it runs in the network namespace of the process that started this JVM
     * (Maven's), not in this JVM's private, empty one.
     */
    static GatewayImage build(String arch) throws IOException, InterruptedException {
        Path deb = DebianPackageIT.deb();
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElseThrow();
        List<String> cmd = List.of("nsenter", "--net=/proc/" + parent + "/ns/net", "--",
                Distribution.root().resolve("distribution/images/build.sh").toString(), arch, deb.toString(),
                OUT.toString());
        long start = System.nanoTime();
        Path log = Files.createTempFile("isthmus-image-build-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(40, java.util.concurrent.TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("image build timed out; log: " + tail(log));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("image build failed (exit " + p.exitValue() + "):\n" + tail(log));
            }
            System.out.printf("image %s: build or cache check %d s: %s%n", arch,
                    (System.nanoTime() - start) / 1_000_000_000L, lastLine(log));
        } finally {
            Files.deleteIfExists(log);
        }
        String name = "isthmus-" + arch;
        return new GatewayImage(arch, OUT.resolve(name + ".img"), OUT.resolve(name + ".vmlinuz"),
                OUT.resolve(name + ".initrd"), Files.readString(OUT.resolve(name + ".cmdline")).strip());
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static String lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /**
     * A writable copy of the disk with {@code files} (path in the image -> content, root-owned, mode 0644) written
     * into its root file system. debugfs writes them offline, so nothing is mounted on the build machine.
     */
    Path copyWith(Path dir, Map<String, String> files, Map<String, String> symlinks)
            throws IOException, InterruptedException {
        Path copy = dir.resolve(disk.getFileName());
        run(List.of("cp", "--sparse=always", disk.toString(), copy.toString()), Duration.ofMinutes(5));
        // partition 1 starts at 1 MiB (build.sh)
        String fs = copy + "?offset=1048576";
        StringBuilder script = new StringBuilder();
        int n = 0;
        for (var e : files.entrySet()) {
            Path local = dir.resolve("seed-" + n++);
            Files.writeString(local, e.getValue());
            String path = e.getKey();
            for (Path p = Path.of(path).getParent(); p != null && p.getNameCount() > 0; p = p.getParent()) {
                script.insert(0, "mkdir " + p + "\n"); // parents first; existing ones fail harmlessly
            }
            script.append("rm ").append(path).append('\n')
                    .append("write ").append(local).append(' ').append(path).append('\n')
                    .append("sif ").append(path).append(" uid 0\n")
                    .append("sif ").append(path).append(" gid 0\n")
                    .append("sif ").append(path).append(" mode 0100644\n");
        }
        for (var e : symlinks.entrySet()) {
            script.append("symlink ").append(e.getKey()).append(' ').append(e.getValue()).append('\n');
        }
        Path cmds = dir.resolve("seed.debugfs");
        Files.writeString(cmds, script);
        run(List.of("debugfs", "-w", "-f", cmds.toString(), fs), Duration.ofMinutes(1));
        for (var e : files.entrySet()) {
            Lab.Result r = Lab.run(List.of("debugfs", "-R", "cat " + e.getKey(), fs), Duration.ofMinutes(1));
            if (!r.out().equals(e.getValue())) {
                throw new IllegalStateException("seeding " + e.getKey() + " into " + copy + " failed: " + r.err());
            }
        }
        return copy;
    }

    static Lab.Result run(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        Lab.Result r = Lab.run(new ArrayList<>(cmd), timeout);
        if (!r.ok()) {
            throw new IllegalStateException(cmd + " (exit " + r.exit() + "): " + r.err() + r.out());
        }
        return r;
    }
}
