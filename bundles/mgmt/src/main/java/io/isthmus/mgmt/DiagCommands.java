package io.isthmus.mgmt;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.net.Ipv4Address;
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
        Optional<String> text = required
                ? Optional.of(Requests.requiredString(request, key, IPV4, "an IPv4 address like 203.0.113.10"))
                : Requests.optionalString(request, key, IPV4, "an IPv4 address like 203.0.113.10");
        return text.map(t -> Ipv4Address.parse(t).orElseThrow(() -> new BadRequest("/" + key,
                "expected an IPv4 address like 203.0.113.10, got \"" + t + "\""))).orElse(null);
    }

    /** The OS refused to run it: a 500 that says why. */
    static CommandReply failed(KernelException e) {
        return CommandReply.error(500, "os-error", e.getMessage(), Optional.empty());
    }
}
