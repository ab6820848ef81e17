package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The arm64 gateway image (profile arm-compact) booted in qemu-system-aarch64 -M virt, emulated (TCG: 10–30x
 * slower than hardware). Runs only when asked, it takes minutes:
 * {@code mvn -B verify -pl itests -am -Dit.test=Arm64ImageIT -Disthmus.images.arm64=true -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false} (after {@code sudo tools/build-images.sh arm64}, or it builds the image).
 */
public class Arm64ImageIT {
    // emulated arm64 on a loaded 2-core machine: generous (it runs only when asked)
    static final Duration BOOT = Duration.ofMinutes(30);
    static ImageLab it;

    @BeforeClass
    public static void boot() throws Exception {
        boolean asked = Boolean.getBoolean("isthmus.images.arm64");
        if (!asked) {
            System.out.println("Arm64ImageIT skipped: emulated arm64 boot runs only with -Disthmus.images.arm64=true");
        }
        assumeTrue("emulated arm64 boot runs only with -Disthmus.images.arm64=true", asked);
        assumeTrue("needs root for network namespaces", "root".equals(System.getProperty("user.name")));
        it = ImageLab.boot("arm64", "arm-compact", "tcg", 1024, Duration.ofMinutes(10));
        it.awaitReadyAndOnline(BOOT);
        System.out.printf("image arm64: service RSS %s KiB after ready%n",
                it.vm.ok("ps -o rss= -p " + it.mainPid()).strip());
        // for the record: how long the boot document's applies took emulated (the apply deadline is raised for them)
        System.out.println("image arm64: " + it.vm.ok("journalctl -q -b -u isthmus -o cat | grep -E"
                + " 'firewall: (applied|.* adopted)|generation [0-9]+ committed' || true").strip().replace("\n",
                        "\nimage arm64: "));
    }

    @AfterClass
    public static void down() {
        if (it != null) {
            it.close();
        }
    }

    @Test
    public void theServiceIsReadyAsIsthmusWithEveryBundleActiveAndOnlineOnTheBroker() throws Exception {
        assertEquals(it.diagnostics(), 1, it.readyLines().size());
        assertEquals("isthmus", it.vm.ok("ps -o user= -p " + it.mainPid()).strip());
        assertEquals("aarch64", it.vm.ok("uname -m").strip());
        assertTrue(it.online());
        ImageBundles.assertEveryBundleActive(it, "arm-compact");
    }

    /** The natively backed bundles: junixsocket (WiFi's wpa_supplicant socket) and dbus-java (cellular). */
    @Test
    public void theNativelyBackedBundlesAreActiveOnArm() throws Exception {
        JsonNode list = it.call(it.client(), "bundles.list", Map.of());
        String all = list.toString();
        for (String name : new String[] {"io.isthmus.net.wifi", "io.isthmus.net.cellular"}) {
            assertTrue(name + " in " + all, all.contains(name));
        }
        for (JsonNode b : list.at("/body/bundles")) {
            String sn = b.path("symbolicName").asText();
            if (sn.contains("junixsocket") || sn.contains("dbus") || sn.startsWith("io.isthmus.net.")) {
                assertEquals(sn + " " + b, "ACTIVE", b.path("state").asText());
            }
        }
    }
}
