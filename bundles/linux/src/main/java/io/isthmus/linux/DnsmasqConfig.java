package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.LocalService;
import io.isthmus.api.net.Ipv4Address;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * dnsmasq.conf for one interface, a pure function of its {@link LocalService}. One dnsmasq per interface (as
 * libvirt runs one per virtual network): each binds only its own interface ({@code bind-dynamic}, not lo), so an
 * offline port's instance has no upstream at all and cannot forward a query, whatever a client asks. With DHCP on
 * exactly one interface dnsmasq binds its DHCP socket to that device, so the instances do not collide on port 67.
 */
final class DnsmasqConfig {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]"
            + "{0,61}[a-z0-9])?)*");

    private DnsmasqConfig() {
    }

    static String render(LocalService s, Path leaseFile, String user) throws KernelException {
        ArgumentChecks.device(s.device());
        check(DOMAIN, s.domain(), "domain");
        Ipv4Address own = s.address().address();
        StringBuilder c = new StringBuilder("# written by Isthmus (io.isthmus.linux) from the network document; do not "
                + "edit\n");
        line(c, "interface=" + s.device());
        line(c, "except-interface=lo");
        line(c, "bind-dynamic");
        line(c, "keep-in-foreground");
        line(c, "log-facility=-");
        line(c, "pid-file=");
        line(c, "user=" + user);
        line(c, "no-resolv");
        line(c, "no-hosts");
        line(c, "no-poll");
        if (s.dns()) {
            line(c, "port=53");
            line(c, "domain-needed");
            line(c, "bogus-priv");
            line(c, "local=/" + s.domain() + "/");
            line(c, "domain=" + s.domain());
            line(c, "expand-hosts");
            for (Ipv4Address server : s.upstream()) {
                line(c, "server=" + server);
            }
            for (LocalService.Host h : s.hosts()) {
                check(LABEL, h.name(), "host name");
                line(c, "host-record=" + h.name() + "." + s.domain() + "," + h.name() + "," + h.address());
            }
        } else {
            line(c, "port=0");
        }
        if (s.dhcp().isPresent()) {
            LocalService.Dhcp d = s.dhcp().get();
            line(c, "dhcp-range=" + d.first() + "," + d.last() + "," + netmask(s.address().prefix()) + ","
                    + Math.max(120, d.lease().toSeconds()));
            line(c, "dhcp-leasefile=" + leaseFile);
            line(c, "dhcp-authoritative");
            // no value: the option is not sent at all (dnsmasq would offer its own address otherwise)
            line(c, d.router() ? "dhcp-option=option:router," + own : "dhcp-option=option:router");
            line(c, d.dnsServer() && s.dns() ? "dhcp-option=option:dns-server," + own : "dhcp-option=option:dns-server");
            if (d.ntpServer()) { // dnsmasq offers no NTP server of its own: without this line option 42 is not sent
                line(c, "dhcp-option=option:ntp-server," + own);
            }
            line(c, "dhcp-option=option:domain-name," + s.domain());
            for (LocalService.Reservation r : d.reservations()) {
                ArgumentChecks.mac(r.mac());
                String name = r.name().orElse("");
                if (!name.isEmpty()) {
                    check(LABEL, name, "host name");
                }
                line(c, "dhcp-host=" + r.mac() + "," + r.address() + (name.isEmpty() ? "" : "," + name));
            }
        }
        return c.toString();
    }

    static String netmask(int prefix) {
        int bits = prefix == 0 ? 0 : -1 << (32 - prefix);
        return new Ipv4Address(bits).toString();
    }

    private static void check(Pattern p, String value, String what) throws KernelException {
        if (!p.matcher(value).matches()) {
            throw new KernelException("invalid " + what + " for dnsmasq: " + value);
        }
    }

    private static void line(StringBuilder c, String line) {
        c.append(line).append('\n');
    }
}
