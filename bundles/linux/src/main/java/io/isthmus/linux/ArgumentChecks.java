package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.net.InterfaceName;
import java.util.regex.Pattern;

/**
 * Checks every word that reaches a command line or a /proc path. Addresses come as api.net records and are
 * well-formed by construction; names, MACs and sysctl keys and values are checked here.
 */
final class ArgumentChecks {
    private static final Pattern SYSCTL_KEY = Pattern.compile("[a-z0-9_./-]+");
    private static final Pattern SYSCTL_VALUE = Pattern.compile("[A-Za-z0-9 _.-]*");
    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");

    private ArgumentChecks() {
    }

    static String device(String name) throws KernelException {
        if (!InterfaceName.isValid(name)) {
            throw new KernelException("invalid interface name: " + quote(name));
        }
        return name;
    }

    static String mac(String mac) throws KernelException {
        if (mac == null || !MAC.matcher(mac).matches()) {
            throw new KernelException("invalid MAC address: " + quote(mac));
        }
        return mac;
    }

    static int prefixLength(int length) throws KernelException {
        if (length < 0 || length > 32) {
            throw new KernelException("invalid IPv4 prefix length: " + length);
        }
        return length;
    }

    static int mtu(int mtu) throws KernelException {
        if (mtu < 68 || mtu > 65535) {
            throw new KernelException("invalid MTU: " + mtu);
        }
        return mtu;
    }

    /**
     * A sysctl key under {@code net.}, as sysctl(8) writes it: dot-separated, or slash-separated when it holds
     * a slash (so an interface name with a dot, {@code net/ipv4/conf/eth0.5/forwarding}, stays one word).
     * Returns the path below /proc/sys.
     */
    static String sysctlPath(String key) throws KernelException {
        if (key == null || !SYSCTL_KEY.matcher(key).matches() || key.contains("..")) {
            throw new KernelException("invalid sysctl key: " + quote(key));
        }
        String path = key.indexOf('/') >= 0 ? key : key.replace('.', '/');
        String[] parts = path.split("/", -1);
        if (parts.length < 2 || !parts[0].equals("net")) {
            throw new KernelException("sysctl key outside net.: " + quote(key));
        }
        for (String part : parts) {
            if (part.isEmpty() || part.equals(".")) {
                throw new KernelException("invalid sysctl key: " + quote(key));
            }
        }
        return path;
    }

    static String sysctlValue(String value) throws KernelException {
        if (value == null || !SYSCTL_VALUE.matcher(value).matches()) {
            throw new KernelException("invalid sysctl value: " + quote(value));
        }
        return value;
    }

    private static String quote(String s) {
        return s == null ? "null" : "'" + s.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }
}
