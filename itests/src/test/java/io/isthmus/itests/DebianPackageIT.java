package io.isthmus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
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
                "dnsmasq-base" /* the DHCP and DNS servers of the services bundle */,
                "chrony" /* the clock's chronyd, run by isthmus-chrony.service */,
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

    // --- the service as users run it (issue 12, part 3) ---

    /** Extracts the .deb into a temporary root, runs the check, deletes it. */
    interface Extracted {
        void check(Path root) throws Exception;
    }

    static void extracted(Extracted check) throws Exception {
        Path tmp = Files.createTempDirectory("isthmus-deb-");
        try {
            dpkgDeb("-x", deb().toString(), tmp.toString());
            check.check(tmp);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Every value a key has in the unit file (later lines add to earlier ones). */
    static List<String> unitValues(String unit, String key) {
        return unit.lines().map(String::strip).filter(l -> l.startsWith(key + "="))
                .map(l -> l.substring(key.length() + 1)).toList();
    }

    static String unitValue(String unit, String key) {
        List<String> v = unitValues(unit, key);
        assertEquals(key + " set once in\n" + unit, 1, v.size());
        return v.get(0);
    }

    @Test
    public void serviceIsNotifyWithWatchdogRestartAndShutdownOrdering() throws Exception {
        extracted(root -> {
            String unit = Files.readString(root.resolve("lib/systemd/system/isthmus.service"));
            assertEquals("notify", unitValue(unit, "Type"));
            assertEquals("main", unitValue(unit, "NotifyAccess"));
            assertTrue(unitValue(unit, "WatchdogSec").matches("\\d+s"));
            assertEquals("on-failure", unitValue(unit, "Restart"));
            assertEquals("no", unitValue(unit, "DefaultDependencies"));
            assertEquals("shutdown.target", unitValue(unit, "Conflicts"));
            List<String> before = List.of(unitValue(unit, "Before").split(" "));
            assertTrue(before.toString(), before.contains("shutdown.target") && before.contains("network-pre.target"));
            assertEquals("isthmus", unitValue(unit, "User"));
            assertEquals("CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE", unitValue(unit, "AmbientCapabilities"));
            assertEquals("CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE", unitValue(unit, "CapabilityBoundingSet"));
            assertEquals("yes", unitValue(unit, "NoNewPrivileges"));
            assertEquals("strict", unitValue(unit, "ProtectSystem"));
            assertEquals("yes", unitValue(unit, "ProtectHome"));
            assertEquals("yes", unitValue(unit, "PrivateTmp"));
            assertEquals("0027", unitValue(unit, "UMask"));
            assertEquals("isthmus", unitValue(unit, "StateDirectory"));
            assertEquals("isthmus", unitValue(unit, "RuntimeDirectory"));
            assertEquals("@system-service", unitValue(unit, "SystemCallFilter"));
            assertEquals("AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET", unitValue(unit, "RestrictAddressFamilies"));
            for (String key : List.of("ProtectKernelModules", "ProtectClock", "ProtectControlGroups", "LockPersonality",
                    "RestrictSUIDSGID", "RestrictNamespaces", "RestrictRealtime")) {
                assertEquals(key, "yes", unitValue(unit, key));
            }
            // the gateway writes sysctls under /proc/sys/net; the JVM's JIT writes then executes code
            assertEquals(List.of(), unitValues(unit, "ProtectKernelTunables"));
            assertEquals(List.of(), unitValues(unit, "MemoryDenyWriteExecute"));
            assertEquals("+/usr/lib/isthmus/isthmus-preflight", unitValue(unit, "ExecStartPre"));
            // an OutOfMemoryError ends the JVM, so that Restart=on-failure restarts it
            for (String profile : Distribution.profiles()) {
                String options = Files.readString(root.resolve("opt/isthmus/" + profile + "/etc/jvm.options"));
                assertTrue(profile + ": " + options, options.lines().anyMatch(l -> l.strip().equals(
                        "-XX:+ExitOnOutOfMemoryError")));
            }
        });
    }

    /** {@code systemd-analyze security --offline=true} rates every unit of the package "OK" or better (was 6.7 MEDIUM). */
    @Test
    public void systemdAnalyzeRatesEveryUnitOkOrBetter() throws Exception {
        org.junit.Assume.assumeTrue("skipped: no systemd-analyze on this machine",
                Files.isExecutable(Path.of("/usr/bin/systemd-analyze")));
        extracted(root -> {
            for (String name : List.of("isthmus.service", "isthmus-smcroute.service", "isthmus-provision.service",
                    "isthmus-chrony.service")) {
                Path unit = root.resolve("lib/systemd/system/" + name);
                Lab.Result r = Lab.run(List.of("systemd-analyze", "security", "--offline=true", "--no-pager",
                        unit.toString()), Duration.ofSeconds(60));
                String overall = r.out().lines().filter(l -> l.contains("Overall exposure level for " + name))
                        .findFirst().orElse(r.out() + r.err());
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(": (\\d+\\.\\d) (SAFE|OK)\\b")
                        .matcher(overall);
                assertTrue(overall, m.find());
                assertTrue(overall, Double.parseDouble(m.group(1)) <= 2.5);
            }
        });
    }

    @Test
    public void packageShipsHelperUnitsPreflightAndModemManagerPolicy() throws Exception {
        String contents = dpkgDeb("-c", deb().toString());
        for (String path : List.of("./lib/systemd/system/isthmus-smcroute.service",
                "./lib/systemd/system/isthmus-chrony.service",
                "./lib/systemd/system/isthmus-provision.service", "./usr/share/dbus-1/system.d/isthmus.conf",
                "./usr/share/polkit-1/rules.d/60-isthmus.rules")) {
            assertTrue(path + " missing:\n" + contents, contents.lines().anyMatch(l -> l.endsWith(path)));
        }
        assertTrue(contents.lines().anyMatch(l -> l.startsWith("-rwxr-xr-x")
                && l.endsWith("./usr/lib/isthmus/isthmus-preflight")));
        extracted(root -> {
            String smcroute = Files.readString(root.resolve("lib/systemd/system/isthmus-smcroute.service"));
            assertTrue(smcroute, unitValue(smcroute, "ExecStart").contains(" -p isthmus:isthmus"));
            assertEquals("isthmus", unitValue(smcroute, "Group"));
            assertTrue(smcroute, List.of(unitValue(smcroute, "Conflicts").split(" ")).contains("smcroute.service"));
            // smcroute.service runs after network-online.target, the gateway before network-pre.target: ordered
            // after it, this unit closed an ordering cycle and systemd dropped its start job at boot (ImageIT)
            assertFalse(smcroute, unitValue(smcroute, "After").contains("smcroute.service"));
            assertEquals("0770", unitValue(smcroute, "RuntimeDirectoryMode"));
            String wrapper = Files.readString(root.resolve("usr/bin/isthmus"));
            assertTrue(wrapper, wrapper.contains("-Disthmus.smcroute.socket=/run/isthmus-smcroute/smcroute.sock"));
            // chronyd refuses to start without root: the unit starts it ('!') and it drops to isthmus itself, with
            // its command socket in a directory of that user (chronyd accepts no other)
            String chrony = Files.readString(root.resolve("lib/systemd/system/isthmus-chrony.service"));
            assertTrue(chrony, unitValue(chrony, "ExecStart").startsWith("!/usr/sbin/chronyd -d -u isthmus "));
            assertTrue(chrony, unitValue(chrony, "ExecStart").contains("\"bindcmdaddress /run/isthmus-chrony/chronyd.sock\""));
            assertEquals("isthmus", unitValue(chrony, "User"));
            assertEquals("0770", unitValue(chrony, "RuntimeDirectoryMode"));
            assertTrue(chrony, List.of(unitValue(chrony, "Conflicts").split(" ")).contains("chrony.service"));
            assertEquals(List.of(), unitValues(chrony, "ProtectClock"));
            assertTrue(wrapper, wrapper.contains("-Disthmus.chrony.socket=/run/isthmus-chrony/chronyd.sock"));
            javax.xml.parsers.DocumentBuilderFactory xml = javax.xml.parsers.DocumentBuilderFactory.newInstance();
            xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // no network
            org.w3c.dom.Document policy = xml.newDocumentBuilder().parse(root.resolve("usr/share/dbus-1/system.d/isthmus.conf").toFile());
            org.w3c.dom.Element p = (org.w3c.dom.Element) policy.getElementsByTagName("policy").item(0);
            assertEquals("isthmus", p.getAttribute("user"));
            assertEquals("org.freedesktop.ModemManager1",
                    ((org.w3c.dom.Element) p.getElementsByTagName("allow").item(0)).getAttribute("send_destination"));
        });
        String postinst = dpkgDeb("-I", deb().toString(), "postinst");
        assertTrue(postinst, postinst.contains("systemctl restart isthmus.service"));
        assertTrue(postinst, postinst.contains("ln -s /run/isthmus/resolv.conf /etc/resolv.conf"));
        // the smcroute package's own daemon (enabled by default) would hold the one multicast routing socket
        assertTrue(postinst, postinst.contains("systemctl disable $now smcroute-helper.service smcroute.service"));
        assertTrue(postinst, postinst.contains("isthmus: disabling smcroute.service"));
        // two daemons disciplining one clock fight: Debian's chrony.service is stopped, disabled and masked
        assertTrue(postinst, postinst.contains("systemctl disable $now chrony.service"));
        assertTrue(postinst, postinst.contains("systemctl mask chrony.service"));
    }

    /**
     * The preflight refuses to start beside another network manager, with one line naming the unit, unless the
     * override is set. There is no systemd on the build machine: a stand-in {@code systemctl} first on the PATH
     * answers "enabled" for NetworkManager.service (the only mock here; the script itself runs for real).
     */
    @Test
    public void preflightRefusesBesideAnotherNetworkManager() throws Exception {
        extracted(root -> {
            Path bin = Files.createDirectories(root.resolve("fake-bin"));
            Files.writeString(bin.resolve("systemctl"),
                    "#!/bin/sh\n[ \"$2\" = is-enabled ] && [ \"$3\" = NetworkManager.service ]\n");
            bin.resolve("systemctl").toFile().setExecutable(true);
            String path = bin + ":" + System.getenv("PATH");
            String preflight = root.resolve("usr/lib/isthmus/isthmus-preflight").toString();
            Lab.Result refused = Lab.run(List.of("env", "PATH=" + path, "ISTHMUS_PREFLIGHT_ROOT=" + root, preflight,
                    "check"), Duration.ofSeconds(30));
            assertEquals(refused.err(), 1, refused.exit());
            assertTrue(refused.err(), refused.err().startsWith("isthmus: another network manager is enabled: "
                    + "NetworkManager.service; the gateway owns the network"));
            assertTrue(refused.err(), refused.err().contains("ISTHMUS_ALLOW_OTHER_NETWORK_MANAGER=yes"));
            Lab.Result allowed = Lab.run(List.of("env", "PATH=" + path, "ISTHMUS_PREFLIGHT_ROOT=" + root,
                    "ISTHMUS_ALLOW_OTHER_NETWORK_MANAGER=yes", preflight, "check"), Duration.ofSeconds(30));
            assertEquals(allowed.err(), 0, allowed.exit());
            // ifupdown counts only when it configures more than lo
            Files.writeString(bin.resolve("systemctl"),
                    "#!/bin/sh\n[ \"$2\" = is-enabled ] && [ \"$3\" = networking.service ]\n");
            Files.createDirectories(root.resolve("etc/network"));
            Files.writeString(root.resolve("etc/network/interfaces"), "auto lo\niface lo inet loopback\n");
            Lab.Result loOnly = Lab.run(List.of("env", "PATH=" + path, "ISTHMUS_PREFLIGHT_ROOT=" + root, preflight,
                    "check"), Duration.ofSeconds(30));
            assertEquals(loOnly.err(), 0, loOnly.exit());
            Files.writeString(root.resolve("etc/network/interfaces"), "auto lo eth0\niface eth0 inet dhcp\n");
            Lab.Result ifupdown = Lab.run(List.of("env", "PATH=" + path, "ISTHMUS_PREFLIGHT_ROOT=" + root, preflight,
                    "check"), Duration.ofSeconds(30));
            assertEquals(ifupdown.err(), 1, ifupdown.exit());
            assertTrue(ifupdown.err(), ifupdown.err().contains("enabled: networking.service;"));
        });
    }
}
