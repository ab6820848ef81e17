package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.net.Ipv4Address;
import java.util.regex.Pattern;

/** Checks the targets diagnostics pass to ping and nslookup: an IPv4 address or an RFC 1123 host name. */
final class DiagnosticInput {
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final int MAX_NAME = 253;

    private DiagnosticInput() {
    }

    static String host(String target) throws KernelException {
        if (target != null && Ipv4Address.parse(target).isPresent()) {
            return target;
        }
        return hostName(target);
    }

    /** A name never starts with '-' (it would become an option) and holds no spaces or shell characters. */
    static String hostName(String name) throws KernelException {
        String bare = name != null && name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (bare == null || bare.isEmpty() || bare.length() > MAX_NAME) {
            throw new KernelException("invalid host name: " + quote(name));
        }
        for (String label : bare.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new KernelException("invalid host name: " + quote(name));
            }
        }
        return name;
    }

    private static String quote(String s) {
        return s == null ? "null" : "'" + s.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }
}
