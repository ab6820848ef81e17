package io.isthmus.linux;

import com.fasterxml.jackson.databind.JsonNode;
import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Link;
import io.isthmus.api.linux.Neighbour;
import io.isthmus.api.linux.Route;
import io.isthmus.api.linux.Rule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Kernel state through {@code ip -j}. Routes and rules are read with {@code -d -N}: numbers instead of names,
 * and a protocol on every entry (plain output leaves out boot routes' and unspec/kernel rules' protocol).
 */
final class IpReader {
    private final ProcessRunner runner;
    private final IpJson json;
    private final LinkJson linkJson;
    private final RouteJson routeJson;

    IpReader(ProcessRunner runner) {
        this.runner = runner;
        this.json = new IpJson();
        this.linkJson = new LinkJson(this.json);
        this.routeJson = new RouteJson(this.json, IprouteNames.load(Path.of("/etc/iproute2")));
    }

    List<Link> links() throws KernelException {
        return linkJson.links(runner.run("ip", List.of("-j", "-s", "link", "show")));
    }

    /** One link's current state; empty when the device does not exist (any more). */
    Optional<Link> link(String device) throws KernelException {
        ProcessResult r = runner.exec("ip", List.of("-j", "-s", "link", "show", "dev", ArgumentChecks.device(device)),
                null);
        if (!r.ok()) {
            if (r.stderr().contains("does not exist")) {
                return Optional.empty();
            }
            throw new KernelException(r.describe());
        }
        return linkJson.links(r.stdout()).stream().filter(l -> l.name().equals(device)).findFirst();
    }

    List<InterfaceAddress> addresses() throws KernelException {
        return linkJson.addresses(runner.run("ip", List.of("-j", "-4", "addr", "show")));
    }

    List<Route> routes() throws KernelException {
        return routeJson.routes(runner.run("ip", List.of("-d", "-N", "-j", "-4", "route", "show", "table", "all")));
    }

    List<Neighbour> neighbours(String device) throws KernelException {
        String dev = ArgumentChecks.device(device);
        List<Neighbour> neighbours = new ArrayList<>();
        for (JsonNode n : json.objects(runner.run("ip", List.of("-j", "-4", "neigh", "show", "dev", dev)))) {
            Optional<String> dst = IpJson.text(n, "dst");
            if (dst.isEmpty()) {
                continue;
            }
            List<String> state = new ArrayList<>();
            n.path("state").forEach(s -> state.add(s.asText()));
            neighbours.add(new Neighbour(dev, IpJson.address(dst.get()),
                    IpJson.text(n, "lladdr").map(m -> m.toLowerCase(Locale.ROOT)), state));
        }
        return neighbours;
    }

    List<Rule> rules() throws KernelException {
        return routeJson.rules(runner.run("ip", List.of("-d", "-N", "-j", "-4", "rule", "show")));
    }
}
