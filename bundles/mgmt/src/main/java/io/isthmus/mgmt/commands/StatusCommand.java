package io.isthmus.mgmt.commands;

import io.isthmus.api.config.ApplyResult;
import io.isthmus.api.config.ConfigService;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.linux.HelperDaemon;
import io.isthmus.api.linux.HelperStatus;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.net.PortDriver;
import io.isthmus.api.net.PortStatus;
import io.isthmus.api.uplink.UplinkState;
import io.isthmus.api.uplink.UplinkStatus;
import io.isthmus.mgmt.AgentStatus;
import io.isthmus.mgmt.dispatch.Replies;
import io.isthmus.mgmt.transport.ConnectionErrors;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code status {"gc": false}}: ports (from every port driver), the uplinks and the active one (when the uplink
 * manager runs), bundles, uptime, memory and threads, the document generation, and the management channel.
 * {@code "gc": true} collects garbage first, so that the heap figure is what is really live.
 */
@Component(property = CommandHandler.COMMAND + "=status")
public class StatusCommand implements CommandHandler {
    private final BundleContext context;
    private final AgentStatus agent;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<PortDriver> drivers;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile UplinkStatus uplinks;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigService config;

    /**
     * The firewall's own diagnostics command, when a firewall runs: its per-conduit counters go into status. The
     * contract is the MQTT one of {@code diag.firewall} (firewall.md, mqtt.md), not a Java API: see
     * architecture.md, "Contracts carried by commands".
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + CommandHandler.COMMAND + "=diag.firewall)")
    private volatile CommandHandler firewall;

    /** Helper daemons (smcrouted, avahi-daemon): a wanted one that is not running is a problem status shows. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<HelperDaemon> helpers;

    @Activate
    public StatusCommand(BundleContext context, @Reference(name = "agent") AgentStatus agent) {
        this.context = context;
        this.agent = agent;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        if (JsonValue.root(request).optional("gc").map(JsonValue::bool).orElse(false)) {
            System.gc(); // asked for: the live heap, not the garbage not yet collected
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deviceId", agent.describe().get("deviceId"));
        body.put("profile", context.getProperty("isthmus.profile"));
        body.put("version", context.getProperty("isthmus.version"));
        body.put("uptimeMs", ManagementFactory.getRuntimeMXBean().getUptime());
        ConfigService c = config;
        body.put("generation", c == null ? null : c.current().map(ConfigReplies::generation).orElse(null));
        body.put("bootFile", bootFile(c));
        body.put("ports", ports());
        body.put("uplinks", uplinks());
        body.put("bundles", bundles());
        body.put("memory", memory());
        body.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
        body.put("management", agent.describe());
        body.put("stateDir", stateDir());
        body.put("firewall", conduitCounters());
        body.put("helpers", helpers());
        return Replies.ok(body);
    }

    private List<Map<String, Object>> helpers() {
        List<Map<String, Object>> out = new ArrayList<>();
        List<HelperDaemon> hs = helpers;
        if (hs != null) {
            for (HelperDaemon h : hs) {
                HelperStatus st = h.status();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", st.name());
                m.put("wanted", st.wanted());
                m.put("running", st.running());
                m.put("restarts", st.restarts());
                m.put("problem", st.problem().orElse(null));
                out.add(m);
            }
        }
        return out;
    }

    /**
     * The {@code --config} file of this boot and what became of it (as its {@code evt/config} event said), so that
     * a rejected file is seen while the gateway runs the generation it kept; null without one.
     */
    private Map<String, Object> bootFile(ConfigService c) {
        String file = context.getProperty(ConfigService.CONFIG_FILE);
        if (c == null || file == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file);
        try {
            ApplyResult result = c.bootApplied().toCompletableFuture().getNow(null);
            if (result == null) {
                m.put("event", "pending");
            } else {
                m.putAll(ConfigReplies.event(result, "boot:" + file));
            }
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            m.put("event", "failed");
            m.put("reason", ConnectionErrors.describe(e.getCause() == null ? e : e.getCause()));
        }
        return m;
    }

    private List<Map<String, Object>> ports() {
        List<Map<String, Object>> out = new ArrayList<>();
        List<PortDriver> current = drivers;
        for (PortDriver d : current == null ? List.<PortDriver>of() : current) {
            for (PortStatus p : d.status()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", p.name());
                m.put("kind", p.kind().id());
                m.put("role", p.role().id());
                m.put("cost", p.cost());
                m.put("present", p.present());
                m.put("carrier", p.carrier());
                m.put("addresses", p.addresses().stream().map(Object::toString).toList());
                m.put("gateway", p.gateway().map(Object::toString).orElse(null));
                m.put("dns", p.dns().stream().map(Object::toString).toList());
                m.put("mtu", p.mtu().orElse(null));
                m.put("mac", p.mac().orElse(null));
                m.put("rxBytes", p.rxBytes());
                m.put("txBytes", p.txBytes());
                m.put("problem", p.problem().orElse(null));
                if (!p.details().isEmpty()) {
                    m.put(p.kind().id(), p.details()); // e.g. "wifi": {state, signalDbm, bssid, …}
                }
                out.add(m);
            }
        }
        return out;
    }

    private Map<String, Object> uplinks() {
        UplinkStatus u = uplinks;
        if (u == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("active", u.active().orElse(null));
        m.put("activeSince", u.activeSince().map(Object::toString).orElse(null));
        m.put("management", u.managementPath());
        m.put("data", u.dataPath());
        List<Map<String, Object>> states = new ArrayList<>();
        for (UplinkState s : u.uplinks()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("port", s.port());
            one.put("cost", s.cost());
            one.put("health", s.health().name());
            one.put("rttMs", s.rttMs().orElse(null));
            one.put("loss", s.loss());
            one.put("since", s.since().toString());
            states.add(one);
        }
        m.put("uplinks", states);
        return m;
    }

    private Map<String, Object> bundles() {
        Bundle[] all = context.getBundles();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", all.length);
        m.put("active", Arrays.stream(all).filter(b -> b.getState() == Bundle.ACTIVE).count());
        m.put("notActive", Arrays.stream(all).filter(b -> b.getState() != Bundle.ACTIVE)
                .map(BundleView::describe).toList());
        return m;
    }

    private static Map<String, Object> memory() {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("heapUsedBytes", mem.getHeapMemoryUsage().getUsed());
        m.put("heapCommittedBytes", mem.getHeapMemoryUsage().getCommitted());
        m.put("heapMaxBytes", mem.getHeapMemoryUsage().getMax());
        m.put("nonHeapUsedBytes", mem.getNonHeapMemoryUsage().getUsed());
        return m;
    }

    /** The state directory's filesystem: a full one keeps the outbox in memory and config.put from committing. */
    private Map<String, Object> stateDir() {
        Map<String, Object> m = new LinkedHashMap<>();
        String dir = context.getProperty(ConfigService.STATE_DIR);
        m.put("path", dir);
        try {
            FileStore store = Files.getFileStore(Path.of(dir == null ? "." : dir));
            m.put("freeBytes", store.getUsableSpace());
            m.put("totalBytes", store.getTotalSpace());
        } catch (IOException | RuntimeException e) {
            m.put("freeBytes", null);
            m.put("totalBytes", null);
        }
        return m;
    }

    /** Packets and bytes per conduit, as diag.firewall counts them; null without a firewall. */
    private Object conduitCounters() {
        CommandHandler f = firewall;
        if (f == null) {
            return null;
        }
        try {
            CommandReply reply = f.handle(Map.of("match", "conduit"));
            return reply.status() == 200 ? reply.body().get("rules") : Map.of("error", reply.error()
                    .map(CommandReply.Error::message).orElse("status " + reply.status()));
        } catch (RuntimeException e) {
            return Map.of("error", String.valueOf(e.getMessage()));
        }
    }
}
