package io.isthmus.linux;

import io.isthmus.api.linux.HelperStatus;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.TimeSync;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.osgi.service.log.Logger;

/**
 * The system's chronyd, started as root by isthmus-chrony.service and running as the gateway's user (chronyd refuses
 * to start without root, the installed gateway has none). Its command socket's directory holds the two files the
 * gateway writes: {@value #SOURCES} (the unit's {@code sourcedir}: the servers, reread on {@code chronyc reload
 * sources}) and {@value #ALLOWED} (the unit's {@code include}: the served subnets, read when chronyd starts, so a
 * crash-restart keeps serving them); the running daemon gets the subnets through {@code chronyc deny all} and
 * {@code allow}. Not thread-safe: {@link ChronyTimeKeeper} calls it under its lock.
 */
final class SystemChrony {
    static final String SOURCES = "isthmus.sources";
    static final String ALLOWED = "isthmus.conf";
    private final ProcessRunner runner;
    private final Path socket;
    private final Logger log;
    private Optional<Loaded> loaded = Optional.empty();
    private Optional<String> problem = Optional.empty();

    private record Loaded(String sources, List<String> subnets) {
    }

    SystemChrony(ProcessRunner runner, Path socket, Logger log) {
        this.runner = runner;
        this.socket = socket;
        this.log = log;
    }

    Path socket() {
        return socket;
    }

    /**
     * Gives the system's chronyd these servers and subnets (none: it keeps running, with no source and serving
     * nobody). Nothing kept and no daemon there is fine (a document without time on a machine without the unit).
     */
    void keep(Optional<TimeSync> sync) throws KernelException {
        Loaded want = new Loaded(ChronyConfig.sources(sync), ChronyConfig.subnets(sync));
        if (loaded.equals(Optional.of(want))) {
            return;
        }
        Path dir = socket.getParent();
        if (sync.isEmpty() && !Files.exists(socket) && !Files.isDirectory(dir)) {
            loaded = Optional.of(want);
            problem = Optional.empty();
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw fail("there is no " + dir);
        }
        ConfiguredDaemon.write(dir.resolve(SOURCES), want.sources(), "chrony");
        ConfiguredDaemon.write(dir.resolve(ALLOWED), ChronyConfig.allowed(sync), "chrony");
        if (sync.isEmpty() && !Files.exists(socket)) {
            loaded = Optional.of(want); // not running: it reads the files just written when it starts
            problem = Optional.empty();
            return;
        }
        List<List<String>> commands = new ArrayList<>(List.of(List.of("reload", "sources"), List.of("deny", "all")));
        want.subnets().forEach(s -> commands.add(List.of("allow", s)));
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(List.of("-h", socket.toString()));
            args.addAll(command);
            ProcessResult r = runner.exec("chronyc", args, null);
            if (!r.ok()) {
                throw fail(r.describe());
            }
        }
        loaded = Optional.of(want);
        problem = Optional.empty();
        log.info("chrony: the system's chronyd ({}) keeps {}", socket, sync.map(s -> "servers " + s.servers()
                + ", serving " + want.subnets()).orElse("no sources, serving nobody"));
    }

    private KernelException fail(String why) {
        loaded = Optional.empty();
        String message = "chrony: the system's chronyd does not answer on " + socket
                + " (is isthmus-chrony.service running?): " + why;
        problem = Optional.of(message);
        return new KernelException(message);
    }

    HelperStatus status(boolean wanted) {
        boolean answers = Files.exists(socket) && problem.isEmpty();
        return new HelperStatus("chronyd (" + socket + ")", wanted, wanted && answers, 0,
                wanted ? problem : Optional.empty());
    }
}
