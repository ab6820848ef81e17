package io.isthmus.firewall;

import static io.isthmus.firewall.Docs.conduit;
import static io.isthmus.firewall.Docs.firewall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A conduit with any number of ports the validator accepts applies: nft 1.0.6 refused a whole batch once a rule's
 * comment passed 253 bytes, so a conduit of 45 single ports always rolled back. The real test loads the table into
 * the real nft in a throwaway network namespace ({@code unshare --net}); the packet path is FirewallSystemIT's.
 */
class LongPortListTest {

    /** 1,000 entries: single ports and ranges mixed, as a document may give them. */
    static List<String> thousandPorts() {
        List<String> ports = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int port = 10000 + i * 50;
            ports.add(i % 4 == 3 ? port + "-" + (port + 9) : String.valueOf(port));
        }
        return ports;
    }

    static Ruleset plan() {
        return FirewallPlan.of(Docs.lab(firewall(List.of(conduit("dmz", "offline", "tcp", thousandPorts(), List.of()),
                conduit("dmz", "uplink", "udp", thousandPorts().subList(0, 45), List.of())), List.of())));
    }

    @Test
    void everyCommentStaysWithinWhatNftTakesAndTheDigestStaysFindable() throws Exception {
        Ruleset r = plan();
        for (JsonNode o : FirewallPlanTest.objects(r)) {
            String comment = o.path("rule").path("comment").asText();
            int bytes = comment.getBytes(StandardCharsets.UTF_8).length;
            assertTrue(bytes <= 253, () -> bytes + " bytes: " + comment.substring(0, 60) + "...");
        }
        assertTrue(FirewallPlanTest.rule(r, "conduit 0: dmz -> offline tcp 10000,10050,").isPresent());
        assertTrue(FirewallPlanTest.rule(r, "conduit 0: ").orElseThrow().path("comment").asText().endsWith("..."));
        assertEquals(java.util.Optional.of(r.digest()), Ruleset.digestIn(r.objects().orElseThrow()));
        // every port is still matched: the set holds all 1,000 entries
        assertEquals(1000, FirewallPlanTest.rule(r, "conduit 0: ").orElseThrow().path("expr").get(2).path("match")
                .path("right").path("set").size());
    }

    @Test
    void theRealNftLoadsATableWithAThousandPortConduit() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/nft")),
                "system test skipped: needs root and nft for a throwaway network namespace");
        Ruleset r = plan();
        ObjectNode table = Nft.F.objectNode().put("family", Nft.FAMILY).put("name", Nft.TABLE);
        ArrayNode batch = Nft.F.arrayNode();
        batch.add(Nft.wrap("add", Nft.wrap("table", table)));
        for (JsonNode o : FirewallPlanTest.objects(r)) {
            batch.add(Nft.wrap("add", o));
        }
        Path file = Files.createTempFile("isthmus-nft-", ".json");
        try {
            Files.writeString(file, Nft.wrap("nftables", batch).toString());
            // one shell in one new namespace: load, then list what the kernel holds
            Process p = new ProcessBuilder("unshare", "--net", "sh", "-c", "nft -j -f " + file
                    + " && nft list chain inet isthmus forward").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "nft finished");
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("59900"), "the last single port of the list is in the kernel's rule");
            assertTrue(out.contains("59950-59959"), "the last range of the list is in the kernel's rule");
        } finally {
            deleteQuietly(file);
        }
    }

    private static void deleteQuietly(Path file) throws IOException {
        Files.deleteIfExists(file);
    }
}
