package io.isthmus.linux;

import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.linux.KernelChange;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Nexthop;
import io.isthmus.api.linux.Route;
import io.isthmus.api.linux.Rule;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns KernelChanges into {@code ip -batch} lines and sysctl writes, validating every name first: all of a
 * list is checked before anything runs. Routes and rules written are tagged {@link Route#ISTHMUS_PROTOCOL}.
 */
final class ChangeTranslator {

    private ChangeTranslator() {
    }

    static List<ChangeStep> translate(List<KernelChange> changes) throws KernelException {
        List<ChangeStep> steps = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            KernelChange change = changes.get(i);
            if (change == null) {
                throw new KernelException("change " + (i + 1) + " is null");
            }
            if (change instanceof KernelChange.SetSysctl s) {
                ArgumentChecks.sysctlPath(s.key());
                steps.add(new ChangeStep.SysctlWrite(i, change, s.key(), ArgumentChecks.sysctlValue(s.value())));
            } else if (change instanceof KernelChange.SetLink l && l.up().isEmpty() && l.mtu().isEmpty()
                    && l.mac().isEmpty()) {
                ArgumentChecks.device(l.device()); // sets nothing: nothing to run, nothing to count
            } else {
                steps.add(new ChangeStep.IpLine(i, change, lineOf(i, change)));
            }
        }
        return steps;
    }

    private static String lineOf(int index, KernelChange change) throws KernelException {
        try {
            return line(change);
        } catch (NullPointerException e) {
            throw new KernelException("change " + (index + 1) + " has a null field: " + change);
        }
    }

    static String line(KernelChange change) throws KernelException {
        if (change instanceof KernelChange.AddAddress a) {
            return address("add", a.address());
        } else if (change instanceof KernelChange.RemoveAddress r) {
            return address("del", r.address());
        } else if (change instanceof KernelChange.ReplaceRoute r) {
            return route("replace", r.route(), Route.ISTHMUS_PROTOCOL);
        } else if (change instanceof KernelChange.RemoveRoute r) {
            return route("del", r.route(), r.route().protocol());
        } else if (change instanceof KernelChange.AddRule r) {
            return rule("add", r.rule(), Route.ISTHMUS_PROTOCOL);
        } else if (change instanceof KernelChange.RemoveRule r) {
            return rule("del", r.rule(), r.rule().protocol());
        } else if (change instanceof KernelChange.SetLink l) {
            return link(l);
        }
        throw new KernelException("not an ip change: " + change);
    }

    private static String address(String verb, InterfaceAddress a) throws KernelException {
        return "address " + verb + " " + a.address() + " dev " + ArgumentChecks.device(a.device());
    }

    /** A protocol of 0 on a delete matches any protocol, so it is left out. */
    private static String route(String verb, Route r, int protocol) throws KernelException {
        StringBuilder b = new StringBuilder("route ").append(verb);
        switch (r.type()) {
            case UNICAST -> { }
            case UNREACHABLE -> b.append(" unreachable");
            case BLACKHOLE -> b.append(" blackhole");
            case PROHIBIT -> b.append(" prohibit");
            default -> throw new KernelException("cannot write a route of type " + r.type() + ": " + r);
        }
        b.append(' ').append(r.destination().map(Object::toString).orElse("default"));
        r.gateway().ifPresent(g -> b.append(" via ").append(g));
        if (r.device().isPresent()) {
            b.append(" dev ").append(ArgumentChecks.device(r.device().get()));
        }
        b.append(" table ").append(Integer.toUnsignedString(r.table()));
        if (protocol != 0) {
            b.append(" proto ").append(Integer.toUnsignedString(protocol));
        }
        if (r.metric() != 0) {
            b.append(" metric ").append(Integer.toUnsignedString(r.metric()));
        }
        r.source().ifPresent(s -> b.append(" src ").append(s));
        for (Nexthop h : r.nexthops()) { // nexthops come last: ip reads everything after one as its options
            if (h.weight() < 1 || h.weight() > 256) {
                throw new KernelException("nexthop weight " + h.weight() + " is out of range 1..256: " + r);
            }
            b.append(" nexthop via ").append(h.gateway()).append(" dev ").append(ArgumentChecks.device(h.device()))
                    .append(" weight ").append(h.weight());
        }
        return b.toString();
    }

    private static String rule(String verb, Rule r, int protocol) throws KernelException {
        StringBuilder b = new StringBuilder("rule ").append(verb).append(" pref ")
                .append(Integer.toUnsignedString(r.priority()));
        r.from().ifPresent(f -> b.append(" from ").append(f));
        if (r.inputInterface().isPresent()) {
            b.append(" iif ").append(ArgumentChecks.device(r.inputInterface().get()));
        }
        b.append(" table ").append(Integer.toUnsignedString(r.table()));
        if (r.suppressPrefixLength().isPresent()) {
            b.append(" suppress_prefixlength ").append(ArgumentChecks.prefixLength(r.suppressPrefixLength().get()));
        }
        if (protocol != 0) {
            b.append(" protocol ").append(Integer.toUnsignedString(protocol));
        }
        return b.toString();
    }

    private static String link(KernelChange.SetLink l) throws KernelException {
        StringBuilder b = new StringBuilder("link set dev ").append(ArgumentChecks.device(l.device()));
        l.up().ifPresent(up -> b.append(up ? " up" : " down"));
        if (l.mtu().isPresent()) {
            b.append(" mtu ").append(ArgumentChecks.mtu(l.mtu().get()));
        }
        if (l.mac().isPresent()) {
            b.append(" address ").append(ArgumentChecks.mac(l.mac().get()));
        }
        return b.toString();
    }
}
