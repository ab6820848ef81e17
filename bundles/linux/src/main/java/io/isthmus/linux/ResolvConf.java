package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Resolver;
import io.isthmus.api.net.Ipv4Address;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The gateway's resolv.conf: {@code /run/isthmus/resolv.conf} unless the framework (or system) property
 * {@value #PATH_PROPERTY} names another file (the lab gives every gateway its own). Written atomically and
 * only when the servers change, readable by everyone whatever the service's umask: on an installed gateway
 * /etc/resolv.conf is a symbolic link to it, and every program on the box resolves through it.
 */
@Component(service = Resolver.class)
public class ResolvConf implements Resolver {
    static final String PATH_PROPERTY = "isthmus.resolv.conf";
    static final Path DEFAULT = Path.of("/run/isthmus/resolv.conf");
    static final String HEADER = "# written by Isthmus (io.isthmus.linux) from the network document; do not edit\n";

    private final Path file;

    @Activate
    public ResolvConf(BundleContext context) {
        this(Optional.ofNullable(context.getProperty(PATH_PROPERTY)).map(Path::of).orElse(DEFAULT));
    }

    ResolvConf(Path file) {
        this.file = file;
    }

    @Override
    public synchronized void setNameservers(List<Ipv4Address> servers) throws KernelException {
        StringBuilder text = new StringBuilder(HEADER);
        servers.forEach(s -> text.append("nameserver ").append(s).append('\n'));
        try {
            if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).contentEquals(text)) {
                return;
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new KernelException(file + ": cannot write resolver configuration: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<Ipv4Address> nameservers() {
        List<Ipv4Address> servers = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] p = line.trim().split("\\s+");
                    if (p.length == 2 && p[0].equals("nameserver")) {
                        Ipv4Address.parse(p[1]).ifPresent(servers::add);
                    }
                }
            }
        } catch (IOException e) {
            // unreadable: report none, the next setNameservers rewrites it
        }
        return servers;
    }
}
