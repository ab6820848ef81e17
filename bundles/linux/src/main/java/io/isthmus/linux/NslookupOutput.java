package io.isthmus.linux;

import io.isthmus.api.linux.Diagnostics.Resolution;
import io.isthmus.api.net.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads busybox {@code nslookup -type=a NAME SERVER}: the addresses after the answer's "Name:" line. */
final class NslookupOutput {
    static final String NO_ANSWER = "no server answered";

    private NslookupOutput() {
    }

    static Resolution parse(String name, List<Ipv4Address> servers, String stdout, String stderr) {
        List<Ipv4Address> addresses = new ArrayList<>();
        boolean answer = false;
        for (String line : stdout.split("\n")) {
            String l = line.strip();
            if (l.startsWith("Name:")) {
                answer = true;
            } else if (answer && l.startsWith("Address:")) {
                Ipv4Address.parse(l.substring("Address:".length()).strip()).ifPresent(addresses::add);
            }
        }
        if (!addresses.isEmpty()) {
            return new Resolution(name, servers, addresses, Optional.empty());
        }
        String all = stdout + "\n" + stderr;
        if (all.contains("NXDOMAIN")) {
            return new Resolution(name, servers, List.of(), Optional.of("no such name (NXDOMAIN)"));
        }
        if (all.contains("timed out") || all.contains("no servers could be reached") || all.contains("refused")) {
            return new Resolution(name, servers, List.of(), Optional.of(NO_ANSWER));
        }
        return new Resolution(name, servers, List.of(), Optional.of("no IPv4 address for this name"));
    }

    static boolean noAnswer(Resolution r) {
        return r.problem().filter(NO_ANSWER::equals).isPresent();
    }
}
