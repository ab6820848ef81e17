package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;

/** Bundle states of a booted image, over MQTT (bundles.list), against the profile's distribution. */
final class ImageBundles {
    private ImageBundles() {
    }

    /** Every bundle of the profile is there and ACTIVE; fragments (no activation of their own) RESOLVED. */
    static void assertEveryBundleActive(ImageLab it, String profile) throws Exception {
        Set<String> fragments = new HashSet<>();
        Set<String> expected = new HashSet<>();
        for (Distribution.Bundle b : Distribution.of(profile).bundles()) {
            try (JarFile jar = new JarFile(b.jar().toFile())) {
                String sn = jar.getManifest().getMainAttributes().getValue("Bundle-SymbolicName").split(";")[0].strip();
                expected.add(sn);
                if (b.fragment()) {
                    fragments.add(sn);
                }
            }
        }
        JsonNode list = it.call(it.client(), "bundles.list", Map.of());
        assertEquals(list.toString(), 200, list.path("status").asInt());
        Set<String> seen = new HashSet<>();
        for (JsonNode b : list.at("/body/bundles")) {
            String sn = b.path("symbolicName").asText();
            seen.add(sn);
            if (sn.equals("org.apache.felix.framework") || b.path("id").asLong() == 0) {
                continue;
            }
            String want = fragments.contains(sn) ? "RESOLVED" : "ACTIVE";
            assertEquals(sn + " in " + it.arch + " image: " + b, want, b.path("state").asText());
        }
        assertTrue("every bundle of " + profile + " installed: " + expected + " vs " + seen, seen.containsAll(expected));
    }
}
