package io.isthmus.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;

/** The applier deadline from the framework property isthmus.apply.timeoutMs. */
class ApplyTimeoutTest {

    /** A framework with only these properties (a stand-in: getProperty is all the setting reads). */
    static BundleContext framework(Map<String, String> properties) {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getProperty")) {
                        return properties.get((String) args[0]);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void withoutThePropertyTheDeadlineIs30Seconds() {
        List<String> errors = new ArrayList<>();
        assertEquals(Duration.ofSeconds(30), ApplyTimeout.of(framework(Map.of()), errors::add));
        assertEquals(Duration.ofSeconds(30), ApplyTimeout.parse(" "));
        assertEquals(List.of(), errors);
    }

    @Test
    void thePropertySetsTheDeadlineInMilliseconds() {
        List<String> errors = new ArrayList<>();
        assertEquals(Duration.ofMinutes(5),
                ApplyTimeout.of(framework(Map.of("isthmus.apply.timeoutMs", " 300000 ")), errors::add));
        assertEquals(Duration.ofSeconds(1), ApplyTimeout.parse("1000"));
        assertEquals(Duration.ofHours(1), ApplyTimeout.parse("3600000"));
        assertEquals(List.of(), errors);
    }

    @Test
    void aBadValueIsReportedWithThePropertysNameAndTheDefaultApplies() {
        List<String> errors = new ArrayList<>();
        assertEquals(Duration.ofSeconds(30),
                ApplyTimeout.of(framework(Map.of("isthmus.apply.timeoutMs", "3min")), errors::add));
        assertEquals(List.of("isthmus.apply.timeoutMs: '3min' is not a whole number of milliseconds; using 30000 ms"),
                errors);
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> ApplyTimeout.parse("999"));
        assertEquals("isthmus.apply.timeoutMs: 999 is outside 1000..3600000 ms", small.getMessage());
        IllegalArgumentException large = assertThrows(IllegalArgumentException.class,
                () -> ApplyTimeout.parse("3600001"));
        assertTrue(large.getMessage().contains("outside"), large.getMessage());
    }

    /** What the setting is for: an apply slower than the deadline fails, the same apply within it commits. */
    @Test
    void anApplySlowerThanTheDefaultSucceedsWithALongerDeadline() throws Exception {
        Duration shortDeadline = ApplyTimeout.parse("1000");
        Duration longDeadline = ApplyTimeout.parse("20000");
        // a pass that takes 1.5 s: an emulated gateway's first firewall write, scaled down
        try (ReconcileWorker w = new ReconcileWorker("slow", () -> Thread.sleep(1500), Duration.ofMinutes(5),
                m -> {
                })) {
            ApplyException e = assertThrows(ApplyException.class, () -> w.apply(() -> {
            }, shortDeadline));
            assertEquals("slow: no answer within 1 s", e.getMessage());
            w.apply(() -> {
            }, longDeadline);
        }
    }
}
