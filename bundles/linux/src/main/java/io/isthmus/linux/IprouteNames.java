package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Route;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * iproute2's names for route protocols and tables, mapped back to numbers. IpKernel reads with {@code -N} (numbers),
 * so names only show up in output read some other way; the builtin tables plus /etc/iproute2 cover both.
 */
final class IprouteNames {
    private static final Map<String, Integer> BUILTIN_PROTOCOLS = Map.ofEntries(Map.entry("unspec", 0),
            Map.entry("redirect", 1), Map.entry("kernel", 2), Map.entry("boot", 3), Map.entry("static", 4),
            Map.entry("gated", 8), Map.entry("ra", 9), Map.entry("mrt", 10), Map.entry("zebra", 11),
            Map.entry("bird", 12), Map.entry("dnrouted", 13), Map.entry("xorp", 14), Map.entry("ntk", 15),
            Map.entry("dhcp", 16), Map.entry("keepalived", 18), Map.entry("babel", 42), Map.entry("openr", 99),
            Map.entry("bgp", 186), Map.entry("isis", 187), Map.entry("ospf", 188), Map.entry("rip", 189),
            Map.entry("eigrp", 192));
    private static final Map<String, Integer> BUILTIN_TABLES = Map.of("unspec", 0, "compat", 252, "default", 253,
            "main", 254, "local", 255);
    /** rtm_type numbers (linux/rtnetlink.h) and iproute2's names for them. */
    private static final List<String> TYPE_NAMES = List.of("none", "unicast", "local", "broadcast", "anycast",
            "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve");

    private final Map<String, Integer> protocols;
    private final Map<String, Integer> tables;

    private IprouteNames(Map<String, Integer> protocols, Map<String, Integer> tables) {
        this.protocols = Map.copyOf(protocols);
        this.tables = Map.copyOf(tables);
    }

    static IprouteNames builtin() {
        return new IprouteNames(BUILTIN_PROTOCOLS, BUILTIN_TABLES);
    }

    /** Builtins plus the system's rt_protos and rt_tables files (and their .d directories), where present. */
    static IprouteNames load(Path etc) {
        Map<String, Integer> p = new HashMap<>(BUILTIN_PROTOCOLS);
        Map<String, Integer> t = new HashMap<>(BUILTIN_TABLES);
        readInto(etc.resolve("rt_protos"), p);
        readDir(etc.resolve("rt_protos.d"), p);
        readInto(etc.resolve("rt_tables"), t);
        readDir(etc.resolve("rt_tables.d"), t);
        return new IprouteNames(p, t);
    }

    int protocol(String text) throws KernelException {
        return number(text, protocols, "route protocol");
    }

    int table(String text) throws KernelException {
        return number(text, tables, "routing table");
    }

    static Route.Type type(String text) {
        int n;
        if (text.chars().allMatch(Character::isDigit) && !text.isEmpty()) {
            n = Integer.parseInt(text);
        } else {
            n = TYPE_NAMES.indexOf(text);
        }
        return switch (n) {
            case 1 -> Route.Type.UNICAST;
            case 2 -> Route.Type.LOCAL;
            case 3 -> Route.Type.BROADCAST;
            case 6 -> Route.Type.BLACKHOLE;
            case 7 -> Route.Type.UNREACHABLE;
            case 8 -> Route.Type.PROHIBIT;
            default -> Route.Type.OTHER;
        };
    }

    private static int number(String text, Map<String, Integer> names, String what) throws KernelException {
        if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
            try {
                return Integer.parseUnsignedInt(text);
            } catch (NumberFormatException e) {
                throw new KernelException(what + " out of range: " + text);
            }
        }
        Integer n = names.get(text);
        if (n == null) {
            throw new KernelException("unknown " + what + " name: " + text);
        }
        return n;
    }

    private static void readDir(Path dir, Map<String, Integer> into) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.conf")) {
            files.forEach(f -> readInto(f, into));
        } catch (IOException e) {
            // unreadable: the builtin names still apply
        }
    }

    /** Lines like {@code 73 isthmus}; '#' starts a comment. Unparsable lines are skipped, as iproute2 does. */
    private static void readInto(Path file, Map<String, Integer> into) {
        if (!Files.isReadable(file)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                String[] words = line.replaceFirst("#.*", "").trim().split("\\s+");
                if (words.length == 2 && parseNumber(words[0]).isPresent()) {
                    into.put(words[1], parseNumber(words[0]).get());
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable or odd: the builtin names still apply
        }
    }

    private static Optional<Integer> parseNumber(String s) {
        try {
            return Optional.of(s.startsWith("0x") ? Integer.parseUnsignedInt(s.substring(2), 16)
                    : Integer.parseUnsignedInt(s));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
