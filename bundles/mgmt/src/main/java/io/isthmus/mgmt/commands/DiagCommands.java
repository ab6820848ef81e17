package io.isthmus.mgmt.commands;

import io.isthmus.api.json.JsonValue;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.mgmt.dispatch.BadRequest;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Input checks shared by the diag commands, before anything reaches the OS (which checks again). */
final class DiagCommands {
    static final Pattern HOST = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");
    static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    private DiagCommands() {
    }

    static Ipv4Address address(Map<String, Object> request, String key, boolean required) {
        String expected = "an IPv4 address like 203.0.113.10";
        JsonValue r = JsonValue.root(request);
        Optional<String> text = required ? Optional.of(r.member(key, expected).string(IPV4, expected))
                : r.optional(key).map(v -> v.string(IPV4, expected));
        return text.map(t -> Ipv4Address.parse(t).orElseThrow(() -> new BadRequest("/" + key,
                "expected an IPv4 address like 203.0.113.10, got \"" + t + "\""))).orElse(null);
    }

    /**
     * A ping or route target: a host name, or a unicast IPv4 address in four decimal octets. {@code 0} (which ping
     * reads as 0.0.0.0, the gateway itself), 0.0.0.0/8, multicast, 240/4 and the broadcast address are no
     * target; nor are the other numeric forms the C library accepts ({@code 127.1}, {@code 0x7f000001}): a name's
     * last label (a top-level domain) starts with a letter.
     */
    static String unicastTarget(Map<String, Object> request, String key) {
        String expected = "an IPv4 address or a host name";
        String target = JsonValue.root(request).member(key, expected).string(HOST, expected);
        String bare = target.endsWith(".") ? target.substring(0, target.length() - 1) : target;
        String last = bare.substring(bare.lastIndexOf('.') + 1);
        if (Character.isLetter(last.charAt(0))) {
            return target;
        }
        Ipv4Address address = Ipv4Address.parse(target).orElseThrow(() -> new BadRequest("/" + key,
                "expected a host name or an IPv4 address in four decimal octets like 203.0.113.10, got \"" + target
                        + "\""));
        int first = address.bits() >>> 24;
        if (first == 0 || first >= 224) {
            throw new BadRequest("/" + key, "expected a unicast IPv4 address, got " + target + " ("
                    + (first == 0 ? "this network, 0.0.0.0/8" : address.isMulticast() ? "multicast"
                            : address.bits() == -1 ? "broadcast" : "reserved, 240.0.0.0/4") + ")");
        }
        return target;
    }

    /** The OS refused to run it: a 500 that says why. */
    static CommandReply failed(KernelException e) {
        return CommandReply.error(500, "os-error", e.getMessage(), Optional.empty());
    }
}
