package io.isthmus.config.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.ApplyResult;
import io.isthmus.api.config.ApplyResult.Committed;
import io.isthmus.api.config.ConfigService;
import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.PortKindReader;
import io.isthmus.api.config.SectionApplier;
import io.isthmus.api.net.PortKind;
import io.isthmus.api.net.PortRole;
import io.isthmus.net.ethernet.EthernetKindReader;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.log.Logger;

/** The OSGi shell around the engine, driven by hand-made stand-ins for the framework objects. */
class ConfigComponentTest {
    @TempDir
    Path dir;

    private final Map<String, String> properties = new HashMap<>();
    private final List<FrameworkListener> listeners = new CopyOnWriteArrayList<>();
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private int systemBundleState = Bundle.STARTING;
    /** Whether a bundle marked to start waits for start level 5 while the framework is at 4 (a rising start level). */
    private boolean startLevelRising;

    private ConfigComponent activated(ConfigComponent component) throws Exception {
        Field logger = ConfigComponent.class.getDeclaredField("logger");
        logger.setAccessible(true);
        logger.set(component, stub(Logger.class, (name, args) -> {
            logged.add(name + " " + args[0]);
            return null;
        }));
        component.activate(context(), config(10, 10_000));
        return component;
    }

    private BundleContext context() {
        Bundle systemBundle = stub(Bundle.class, (name, args) -> switch (name) {
            case "getState" -> systemBundleState;
            case "adapt" -> startLevelRising && args[0] == FrameworkStartLevel.class ? stub(FrameworkStartLevel.class,
                    (n, a) -> n.equals("getStartLevel") ? 4 : null) : null;
            default -> null;
        });
        Bundle waiting = stub(Bundle.class, (name, args) -> switch (name) {
            case "getState" -> Bundle.RESOLVED;
            case "adapt" -> stub(BundleStartLevel.class, (n, a) -> switch (n) {
                case "isPersistentlyStarted" -> true;
                case "getStartLevel" -> 5;
                default -> null;
            });
            default -> null;
        });
        return stub(BundleContext.class, (name, args) -> switch (name) {
            case "getProperty" -> properties.get((String) args[0]);
            case "getBundle" -> systemBundle;
            case "getBundles" -> new Bundle[] {systemBundle, waiting};
            case "addFrameworkListener" -> listeners.add((FrameworkListener) args[0]);
            case "removeFrameworkListener" -> listeners.remove((FrameworkListener) args[0]);
            default -> throw new UnsupportedOperationException(name);
        });
    }

    private static ConfigComponent.Config config(int keep, long windowMs) {
        return stub(ConfigComponent.Config.class, (name, args) -> switch (name) {
            case "keepGenerations" -> keep;
            case "testWindowMs" -> windowMs;
            default -> throw new UnsupportedOperationException(name);
        });
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    @SuppressWarnings("unchecked")
    private static <T> T stub(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> method.getName().equals("toString") ? type.getSimpleName()
                        : answer.answer(method.getName(), args == null ? new Object[0] : args));
    }

    private static ApplyResult awaitBoot(ConfigService service) throws Exception {
        return service.bootApplied().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void whileTheFrameworkStartsBootWaitsForTheStartedEvent() throws Exception {
        properties.put(ConfigService.STATE_DIR, dir.toString());
        ConfigComponent component = activated(new ConfigComponent());

        assertFalse(component.bootApplied().toCompletableFuture().isDone());
        assertEquals(1, listeners.size());
        Bundle systemBundle = stub(Bundle.class, (name, args) -> null);
        listeners.get(0).frameworkEvent(new FrameworkEvent(FrameworkEvent.STARTED, systemBundle, null));

        Committed result = (Committed) awaitBoot(component);
        assertEquals("empty", result.generation().source());
        assertTrue(Files.exists(dir.resolve("config/generations/00000001.json")));
        component.deactivate();
        assertEquals(List.of(), listeners);
    }

    @Test
    void aFrameworkStillRaisingItsStartLevelBootsWhenThatChangeEnds() throws Exception {
        systemBundleState = Bundle.ACTIVE; // started first, bundles started by raising the start level (Pax Exam)
        startLevelRising = true;
        properties.put(ConfigService.STATE_DIR, dir.toString());
        ConfigComponent component = activated(new ConfigComponent());

        // Not before the bundles of the higher level have registered their section and kind readers.
        assertFalse(component.bootApplied().toCompletableFuture().isDone());
        assertEquals(1, listeners.size());
        listeners.get(0).frameworkEvent(new FrameworkEvent(FrameworkEvent.STARTLEVEL_CHANGED,
                stub(Bundle.class, (name, args) -> null), null));

        assertEquals("empty", ((Committed) awaitBoot(component)).generation().source());
        component.deactivate();
    }

    @Test
    void aStartedFrameworkBootsAtOnceWithTheConfigFileAndTheProfilesPortMap() throws Exception {
        systemBundleState = Bundle.ACTIVE;
        Path profile = Files.writeString(dir.resolve("profile.json"), "{\"features\": [\"core\"], \"ports\": "
                + "{\"eth0\": {\"kind\": \"ethernet\", \"role\": \"uplink\", \"cost\": 7}}}");
        Path network = Files.writeString(dir.resolve("network.json"), "{\"ports\": {\"eth0\": {}}}");
        properties.put(ConfigService.STATE_DIR, dir.resolve("state").toString());
        properties.put(ConfigService.PROFILE_FILE, profile.toString());
        properties.put(ConfigService.CONFIG_FILE, network.toString());
        ConfigComponent component = new ConfigComponent();
        CompletableFuture<NetworkDocument> applied = new CompletableFuture<>();
        SectionApplier early = applied::complete;
        component.addApplier(early, Map.of("component.name", "early"));
        component.addKindReader(new EthernetKindReader(), Map.of(PortKindReader.KIND, "ethernet"));

        Committed result = (Committed) awaitBoot(activated(component));

        assertEquals("boot:" + network, result.generation().source());
        NetworkDocument document = applied.get(10, TimeUnit.SECONDS);
        assertEquals(PortKind.ETHERNET, document.ports().get("eth0").kind());
        assertEquals(PortRole.UPLINK, document.ports().get("eth0").role());
        assertEquals(7, document.ports().get("eth0").cost());
        assertEquals(List.of(), listeners);
        assertTrue(logged.contains("info generation 1 committed (source boot:" + network + ")"), logged.toString());
        component.deactivate();
    }

    @Test
    void anUnreadableProfileIsLoggedAndDocumentsMustThenNameKindAndRole() throws Exception {
        systemBundleState = Bundle.ACTIVE;
        Path profile = Files.writeString(dir.resolve("profile.json"), "{\"ports\": {\"eth0\": {\"kind\": \"Token Ring\"}}}");
        properties.put(ConfigService.STATE_DIR, dir.resolve("state").toString());
        properties.put(ConfigService.PROFILE_FILE, profile.toString());

        ConfigComponent component = activated(new ConfigComponent());

        assertTrue(logged.stream().anyMatch(l -> l.startsWith("error cannot read the device profile")), logged.toString());
        assertEquals(List.of("/ports/eth0", "/ports/eth0"), component.validate("{\"ports\": {\"eth0\": {}}}").stream()
                .map(e -> e.pointer()).toList());
        component.deactivate();
    }
}
