package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.isthmus.api.config.ApplyResult;
import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.Ipv4Config;
import io.isthmus.api.config.PortConfig;
import io.isthmus.api.config.PortKindReader;
import io.isthmus.api.json.JsonReader;
import io.isthmus.api.json.JsonValue;
import io.isthmus.api.net.Ipv4Addressing;
import io.isthmus.api.net.Ipv4Cidr;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import io.isthmus.api.net.PortStatus;
import io.isthmus.api.runtime.Readiness;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.ExamFactory;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * The Ethernet bundle as the IPv4 layer of a port another driver brings up (what the WiFi and cellular
 * drivers use), against the real kernel of the test JVM's own network namespace: an assigned static address
 * lands on the port and is reported to the assigning driver; while nobody has assigned the port (its driver,
 * or the Ethernet bundle itself, is being updated) its address stays; a release removes it.
 * The "other driver" is this test: it calls {@link Ipv4Addressing} as the WiFi driver does.
 */
@RunWith(PerProfile.class)
@ExamFactory(IsthmusContainerFactory.class)
@Profiles("x86-industrial")
@ExamReactorStrategy(PerClass.class)
public class Ipv4AddressingIT {
    static final String PORT = "wl0t";
    static final String PEER = "wl0p";
    static final String ADDRESS = "10.99.0.1/24";
    static final long TIMEOUT_MS = 10_000;

    @Test
    public void assignedAddressLandsSurvivesADriverUpdateAndGoesOnRelease() throws Exception {
        BundleContext context = FrameworkUtil.getBundle(getClass()).getBundleContext();
        assertNotNull("not ready", FrameworkChecks.awaitService(context, "(&(objectClass=" + Readiness.class.getName()
                + ")(" + Readiness.STATE + "=" + Readiness.READY + "))", ProfileBootIT.READY_TIMEOUT_MS));
        ip("link", "del", PORT); // a leftover of an aborted run; fails harmlessly otherwise
        assertEquals(0, ip("link", "add", PORT, "type", "veth", "peer", "name", PEER));
        // This test plays the WiFi driver (the x86-industrial profile has none), so it declares the kind too, as
        // the driver bundle would: port kinds are those a running driver declares.
        ServiceRegistration<PortKindReader> wifiKind = context.registerService(PortKindReader.class, new PortKindReader() {
            @Override
            public int defaultCost() {
                return 10;
            }

            @Override
            public boolean hasSettings() {
                return false;
            }

            @Override
            public Optional<Object> read(JsonValue settings, JsonReader in) {
                return Optional.empty();
            }
        }, new Hashtable<>(Map.of(PortKindReader.KIND, "wifi")));
        try {
            ConfigService config = FrameworkChecks.service(context, ConfigService.class);
            ApplyResult applied = config.apply("{\"ports\": {\"" + PORT + "\": {\"kind\": \"wifi\", \"role\": \"lan\","
                    + " \"ipv4\": {\"method\": \"static\", \"address\": \"" + ADDRESS + "\"}}}}", "Ipv4AddressingIT");
            assertTrue("document with a wifi port: " + applied, applied instanceof ApplyResult.Committed);
            assertFalse("nobody assigned " + PORT + " yet: the Ethernet driver leaves it alone", hasAddress());

            LinkedBlockingQueue<PortStatus> heard = new LinkedBlockingQueue<>();
            PortConfig wanted = new PortConfig(PortKind.WIFI, PortRole.LAN, 10,
                    new Ipv4Config.Static(Ipv4Cidr.parse(ADDRESS).orElseThrow(), Optional.empty()), Optional.empty(),
                    Optional.empty(), List.of(), Map.of());
            addressing(context).assign(PORT, wanted, heard::add);
            assertTrue("assign returns once the kernel has the address", hasAddress());
            PortStatus status = awaitStatus(heard, s -> !s.addresses().isEmpty());
            assertEquals(PortKind.WIFI, status.kind());
            assertEquals(List.of(Ipv4Cidr.parse(ADDRESS).orElseThrow()), status.addresses());

            // the Ethernet bundle is updated: the new driver must not remove what nobody has re-assigned yet
            Bundle ethernet = FrameworkChecks.bundle(context, "io.isthmus.net.ethernet");
            long oldService = (Long) context.getServiceReference(Ipv4Addressing.class).getProperty(Constants.SERVICE_ID);
            try (InputStream in = Files.newInputStream(Path.of(URI.create(ethernet.getLocation())))) {
                ethernet.update(in);
            }
            ServiceReference<Ipv4Addressing> back = FrameworkChecks.awaitService(context, "(&(objectClass="
                    + Ipv4Addressing.class.getName() + ")(!(" + Constants.SERVICE_ID + "=" + oldService + ")))", TIMEOUT_MS);
            assertNotNull("Ipv4Addressing back after the update", back);
            // the new driver has applied the document once its drift check has run a few times; the address stays
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500);
            while (System.nanoTime() < until) {
                assertTrue(PORT + " lost its address while no driver had re-assigned it", hasAddress());
                Thread.sleep(100); // observation interval of a condition that must hold throughout
            }

            // the driver comes back: re-assigning with a new listener tells it the current status at once
            LinkedBlockingQueue<PortStatus> heardAgain = new LinkedBlockingQueue<>();
            Ipv4Addressing fresh = context.getService(back);
            fresh.assign(PORT, wanted, heardAgain::add);
            // before assign returns: a driver's first status of an adopted port must not lack its addresses
            PortStatus told = heardAgain.peek();
            assertTrue("the current status, told before assign returned: " + told,
                    told != null && !told.addresses().isEmpty());
            assertEquals(PORT, awaitStatus(heardAgain, s -> !s.addresses().isEmpty()).name());

            fresh.release(PORT);
            assertFalse("release removes the address", hasAddress());
        } finally {
            wifiKind.unregister();
            ip("link", "del", PORT);
        }
    }

    private static Ipv4Addressing addressing(BundleContext context) {
        return FrameworkChecks.service(context, Ipv4Addressing.class);
    }

    private static PortStatus awaitStatus(LinkedBlockingQueue<PortStatus> heard,
            java.util.function.Predicate<PortStatus> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            PortStatus s = heard.poll(100, TimeUnit.MILLISECONDS);
            if (s != null && wanted.test(s)) {
                return s;
            }
        }
        throw new AssertionError("no status of " + PORT + " as wanted within " + TIMEOUT_MS + " ms");
    }

    private static boolean hasAddress() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "-o", "-4", "addr", "show", "dev", PORT).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.contains(" " + ADDRESS + " ");
    }

    private static int ip(String... args) throws IOException, InterruptedException {
        String[] argv = new String[args.length + 1];
        argv[0] = "ip";
        System.arraycopy(args, 0, argv, 1, args.length);
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
