package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.Test;

/** The .deb as dpkg sees it: control fields, every profile, the service unit and its privileges. */
public class DebianPackageIT {

    static Path deb() throws IOException {
        try (Stream<Path> s = Files.list(Distribution.root().resolve("distribution/target"))) {
            List<Path> debs = s.filter(p -> p.getFileName().toString().matches("isthmus_.*_all\\.deb")).toList();
            assertEquals("exactly one .deb: " + debs, 1, debs.size());
            return debs.get(0);
        }
    }

    static String dpkgDeb(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("dpkg-deb"));
        cmd.addAll(List.of(args));
        Lab.Result r = Lab.run(cmd, Duration.ofSeconds(60));
        assertEquals(r.err(), 0, r.exit());
        return r.out();
    }

    @Test
    public void controlFieldsNameTheRuntimeAndTheKernelTools() throws Exception {
        String info = dpkgDeb("-I", deb().toString());
        assertTrue(info, info.contains("Package: isthmus"));
        assertTrue(info, info.contains("Architecture: all"));
        String depends = info.lines().filter(l -> l.strip().startsWith("Depends:")).findFirst().orElse("");
        assertTrue(depends, depends.contains("java17-runtime-headless"));
        assertTrue(depends, depends.contains("nftables"));
        assertTrue(depends, depends.contains("iproute2"));
    }

    /**
     * Every program the linux bundle runs comes from a package the .deb names, so that apt on a clean Debian 12
     * pulls it (the gateway images are built that way: nothing installed by hand). Radios are Recommends: a
     * gateway without a modem or WiFi needs neither ModemManager nor wpa_supplicant, and the drivers say clearly
     * when one is missing ("wpa_supplicant not found in …", ModemManager's bus name not there).
     */
    @Test
    public void dependsPullEveryToolTheBundlesRunAndRecommendsTheRadioDaemons() throws Exception {
        String info = dpkgDeb("-f", deb().toString(), "Depends", "Recommends");
        String depends = field(info, "Depends");
        String recommends = field(info, "Recommends");
        // program the bundles run -> the Debian 12 package that ships it
        for (String pkg : List.of("nftables", "iproute2", "procps" /* sysctl, kill */, "iputils-ping", "conntrack",
                "udhcpc", "busybox" /* nslookup for diag.resolve; udhcpc is busybox */, "smcroute", "avahi-daemon",
                "passwd" /* useradd in postinst */)) {
            assertTrue(pkg + " in Depends: " + depends, packages(depends).contains(pkg));
        }
        for (String pkg : List.of("wpasupplicant", "modemmanager", "dbus")) {
            assertTrue(pkg + " in Recommends: " + recommends, packages(recommends).contains(pkg));
        }
    }

    private static String field(String info, String name) {
        return info.lines().filter(l -> l.startsWith(name + ":")).findFirst()
                .map(l -> l.substring(name.length() + 1).strip()).orElse("");
    }

    /** The package names of a relationship field, alternatives included, versions dropped. */
    private static List<String> packages(String field) {
        return java.util.Arrays.stream(field.split("[,|]")).map(p -> p.replaceAll("\\(.*\\)", "").strip())
                .filter(p -> !p.isEmpty()).toList();
    }

    @Test
    public void everyProfileIsInsideWithAnExecutableLauncher() throws Exception {
        String contents = dpkgDeb("-c", deb().toString());
        for (String profile : Distribution.profiles()) {
            String line = contents.lines().filter(l -> l.endsWith("./opt/isthmus/" + profile + "/bin/isthmus"))
                    .findFirst().orElse("");
            assertTrue(profile + " launcher missing:\n" + contents, line.startsWith("-rwxr-xr-x"));
            assertTrue(contents.contains("./opt/isthmus/" + profile + "/etc/profile.json"));
        }
        assertTrue(contents.contains("./lib/systemd/system/isthmus.service"));
        assertTrue(contents.lines().anyMatch(l -> l.startsWith("-rwxr-xr-x") && l.endsWith("./usr/bin/isthmus")));
    }

    @Test
    public void serviceRunsAsItsOwnUserWithOnlyTheNetworkCapabilities() throws Exception {
        Path tmp = Files.createTempDirectory("isthmus-deb-");
        try {
            dpkgDeb("-x", deb().toString(), tmp.toString());
            String unit = Files.readString(tmp.resolve("lib/systemd/system/isthmus.service"));
            assertTrue(unit, unit.contains("User=isthmus"));
            assertTrue(unit, unit.contains("AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW"));
            assertTrue(unit, unit.contains("CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW"));
            assertTrue(unit, unit.contains("Restart=on-failure"));
            assertTrue(unit, unit.contains("--state /var/lib/isthmus"));
            String postinst = dpkgDeb("-I", deb().toString(), "postinst");
            assertTrue(postinst, postinst.contains("useradd --system"));
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
