package io.isthmus.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class IsthmusctlTest {

    @Test
    void exitCodesFollowTheReplyStatus() {
        assertEquals(0, Isthmusctl.exitCode(200));
        assertEquals(4, Isthmusctl.exitCode(400));
        assertEquals(5, Isthmusctl.exitCode(404));
        assertEquals(6, Isthmusctl.exitCode(409));
        assertEquals(7, Isthmusctl.exitCode(413));
        assertEquals(9, Isthmusctl.exitCode(503));
    }

    @Test
    void aMissingDeviceIsAUsageErrorWithoutTouchingTheNetwork() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Isthmusctl()).setErr(new PrintWriter(err)).execute("status");

        assertEquals(2, code);
        assertTrue(err.toString().contains("DEVICE"), err.toString());
    }

    @Test
    void anUnreachableBrokerIsExitCode1() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Isthmusctl()).setErr(new PrintWriter(err))
                .execute("--broker", "tcp://127.0.0.1:1", "--timeout", "2", "status", "gw-1");

        assertEquals(1, code);
        assertTrue(err.toString().contains("tcp://127.0.0.1:1"), err.toString());
    }

    @Test
    void tablesPadColumnsAndShowMissingValuesAsDashes() {
        StringWriter out = new StringWriter();
        new Table("A", "LONGER", "C").row("x", null, "z").row("wide cell", 1, 2).print(new PrintWriter(out));

        assertEquals(String.join("\n", "A          LONGER  C", "x          -       z", "wide cell  1       2", ""),
                out.toString());
    }

    @Test
    void leasesArePrintedAsTwoTables() throws Exception {
        StringWriter out = new StringWriter();
        Isthmusctl.Leases.print(new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"ports": {"eth1": {"address": "192.168.50.1/24", "range": "192.168.50.100-192.168.50.150",
                                    "leaseSeconds": 600, "router": true, "reservations": 1, "dhcp": true,
                                    "dns": true, "forwardsTo": ["203.0.113.53"], "domain": "plant.lan"},
                           "eth2": {"address": "10.20.0.1/24", "dhcp": false, "dns": true, "forwardsTo": [],
                                    "domain": "plant.lan"}},
                 "leases": [{"port": "eth1", "mac": "02:aa:00:00:00:01", "address": "192.168.50.20",
                             "name": "hmi1", "expires": "2026-12-03T12:01:00Z"}]}"""), new PrintWriter(out));
        assertEquals(String.join("\n",
                "PORT  ADDRESS          RANGE                          LEASE S  ROUTER  DNS   FORWARDS TO",
                "eth1  192.168.50.1/24  192.168.50.100-192.168.50.150  600      true    true  203.0.113.53",
                "eth2  10.20.0.1/24     -                              -        -       true  local names only",
                "",
                "PORT  MAC                ADDRESS        NAME  EXPIRES",
                "eth1  02:aa:00:00:00:01  192.168.50.20  hmi1  2026-12-03T12:01:00Z", ""), out.toString());
    }

    @Test
    void timeIsPrintedAsTwoTables() throws Exception {
        StringWriter out = new StringWriter();
        Isthmusctl.Time.print(new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"kept": true, "servers": ["203.0.113.123"], "serves": ["10.20.0.0/24"], "running": true,
                 "synchronised": true, "source": "203.0.113.123", "stratum": 9, "offsetSeconds": -2.5E-5,
                 "lastSync": "2026-12-03T17:00:00Z",
                 "sources": [{"address": "203.0.113.123", "state": "selected", "stratum": 8, "reach": "377"}]}"""),
                new PrintWriter(out));
        assertEquals(String.join("\n",
                "KEPT  SYNCHRONISED  SOURCE         STRATUM  OFFSET S  LAST SYNC             SERVES",
                "true  true          203.0.113.123  9        -2.5E-5   2026-12-03T17:00:00Z  10.20.0.0/24",
                "",
                "SOURCE         STATE     STRATUM  REACH",
                "203.0.113.123  selected  8        377", ""), out.toString());
    }

    @Test
    void bundleCommandsCheckTheJarAndTheTargetsBeforeTouchingTheNetwork(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        java.nio.file.Path plain = FleetTestJars.bundle(dir, null, "1", 10);
        java.nio.file.Path good = FleetTestJars.bundle(dir, "io.x.probe", "1.1.0", 10);
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Isthmusctl()).setErr(new PrintWriter(err));

        assertEquals(2, cli.execute("--broker", "tcp://127.0.0.1:1", "bundle", "update", "gw-1", plain.toString()));
        assertTrue(err.toString().contains("not an OSGi bundle"), err.toString());
        assertEquals(2, cli.execute("--broker", "tcp://127.0.0.1:1", "bundle", "update", "--group", "g",
                good.toString()));
        assertTrue(err.toString().contains("--group needs an inventory"), err.toString());
        assertEquals(2, cli.execute("--broker", "tcp://127.0.0.1:1", "bundle", "update", "--devices", "a,b",
                "--canary", "c", good.toString()));
        assertTrue(err.toString().contains("canary c is not one of"), err.toString());
        assertEquals(2, cli.execute("--broker", "tcp://127.0.0.1:1", "bundle", "update", "gw-1", "--url",
                "ftp://x/y.jar", good.toString()));
    }
}
