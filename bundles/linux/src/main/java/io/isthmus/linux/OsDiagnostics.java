package io.isthmus.linux;

import io.isthmus.api.linux.Diagnostics;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Resolver;
import io.isthmus.api.net.Ipv4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Diagnostics through the OS: {@code ping}, busybox {@code nslookup} against the gateway's own resolvers, and
 * {@code ip -j route get}. Every word is validated before a process starts; each run is bounded in time.
 */
@Component(service = Diagnostics.class, configurationPid = LinuxConfig.PID)
public class OsDiagnostics implements Diagnostics {
    static final int MAX_PINGS = 20;
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PROCESS_SLACK = Duration.ofSeconds(3);

    private final Namespace namespace;
    private final Resolver resolver;
    private final IpJson json = new IpJson();

    @Activate
    public OsDiagnostics(LinuxConfig config, @Reference(name = "resolver") Resolver resolver) {
        this(Namespace.of(config.netns()), resolver);
    }

    OsDiagnostics(Namespace namespace, Resolver resolver) {
        this.namespace = namespace;
        this.resolver = resolver;
    }

    @Override
    public PingResult ping(String target, int count, Duration timeout, Optional<String> device)
            throws KernelException {
        DiagnosticInput.host(target);
        if (count < 1 || count > MAX_PINGS) {
            throw new KernelException("ping count must be 1.." + MAX_PINGS + ", got " + count);
        }
        int waitSeconds = (int) Math.max(1, Math.min(MAX_TIMEOUT.toSeconds(), timeout.toSeconds()));
        List<String> args = new ArrayList<>(List.of("-n", "-c", String.valueOf(count), "-i", "0.2", "-W",
                String.valueOf(waitSeconds)));
        if (device.isPresent()) {
            args.addAll(List.of("-I", ArgumentChecks.device(device.get())));
        }
        args.add(target);
        Duration bound = Duration.ofSeconds((long) waitSeconds * count).plus(PROCESS_SLACK);
        ProcessResult r = runner(bound).exec("ping", args, null);
        return PingOutput.parse(target, r.stdout(), r.stderr());
    }

    @Override
    public Resolution resolve(String name, Duration timeout) throws KernelException {
        DiagnosticInput.hostName(name);
        List<Ipv4Address> servers = resolver.nameservers();
        if (servers.isEmpty()) {
            return new Resolution(name, servers, List.of(), Optional.of("the gateway has no DNS servers"));
        }
        ProcessRunner runner = runner(clamp(timeout).plus(PROCESS_SLACK));
        List<String> problems = new ArrayList<>();
        for (Ipv4Address server : servers) {
            ProcessResult r = runner.exec("busybox", List.of("nslookup", "-type=a", name, server.toString()), null);
            Resolution answer = NslookupOutput.parse(name, servers, r.stdout(), r.stderr());
            // NXDOMAIN is an answer; only a server that did not answer sends us to the next one.
            if (!answer.addresses().isEmpty() || !NslookupOutput.noAnswer(answer)) {
                return answer;
            }
            answer.problem().ifPresent(p -> problems.add(server + ": " + p));
        }
        return new Resolution(name, servers, List.of(), Optional.of(String.join("; ", problems)));
    }

    @Override
    public RouteLookup route(Ipv4Address destination, Optional<Ipv4Address> source, Optional<String> inputDevice)
            throws KernelException {
        List<String> args = new ArrayList<>(List.of("-j", "route", "get", destination.toString()));
        if (source.isPresent()) {
            args.addAll(List.of("from", source.get().toString()));
        }
        if (inputDevice.isPresent()) {
            args.addAll(List.of("iif", ArgumentChecks.device(inputDevice.get())));
        }
        ProcessResult r = runner(IpKernel.TIMEOUT).exec("ip", args, null);
        if (!r.ok()) {
            String why = r.stderr().strip().replaceFirst("^RTNETLINK answers: ", "");
            return new RouteLookup(destination, "unreachable", Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.of(why.isEmpty() ? r.describe() : why));
        }
        return RouteGetJson.parse(destination, json.objects(r.stdout()));
    }

    private ProcessRunner runner(Duration timeout) {
        return new ProcessRunner(namespace, timeout);
    }

    private static Duration clamp(Duration timeout) {
        return timeout.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT
                : timeout.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : timeout;
    }
}
