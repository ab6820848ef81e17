package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.TableReplace;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The streamed replace against real nft in a network namespace: nft reads the objects while they are added, and
 * nothing reaches the kernel before the commit, nor at all when the replace is abandoned or an object refused.
 */
class NftCliSystemTest {
    private static final String INPUT = "{\"chain\":{\"family\":\"inet\",\"table\":\"t\",\"name\":\"input\","
            + "\"type\":\"filter\",\"hook\":\"input\",\"prio\":0,\"policy\":\"accept\"}}";

    private TestNamespace ns;
    private NftCli nft;

    @BeforeEach
    void lab() {
        TestNamespace.assumeRoot();
        assumeTrue(ProcessRunner.find("nft").isPresent(), "system test skipped: needs nft");
        ns = TestNamespace.create();
        nft = new NftCli(new ProcessRunner(ns.namespace(), Duration.ofSeconds(10)));
    }

    @AfterEach
    void cleanUp() {
        if (ns != null) {
            ns.close();
        }
    }

    static String rule(String comment) {
        return "{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"input\",\"comment\":\"" + comment
                + "\",\"expr\":[{\"counter\":null},{\"accept\":null}]}}";
    }

    private String listed() {
        return ns.exec("nft", "list", "ruleset");
    }

    @Test
    void objectsAddedOneByOneAreOneTransactionThatReplacesTheTable() throws KernelException {
        nft.replaceTable("t", "[" + INPUT + "," + rule("old") + "]");
        try (TableReplace replace = nft.startReplace("t")) {
            replace.add(INPUT);
            replace.add(rule("first"));
            assertTrue(listed().contains("comment \"old\""), "nothing in force before the commit: " + listed());
            replace.add(rule("second"));
            replace.commit();
        }
        String table = listed();
        assertTrue(table.contains("comment \"first\"") && table.contains("comment \"second\""), table);
        assertTrue(!table.contains("\"old\""), table);
        assertEquals(2, nft.writes());
    }

    @Test
    void aReplaceClosedWithoutCommitChangesNothing() throws KernelException {
        nft.replaceTable("t", "[" + INPUT + "," + rule("old") + "]");
        String before = listed();
        try (TableReplace replace = nft.startReplace("t")) {
            replace.add(INPUT);
            replace.add(rule("new"));
        }
        assertEquals(before, listed());
        assertEquals(1, nft.writes());
        assertTrue(ns.pids().isEmpty(), "nft was stopped: " + ns.pids());
    }

    @Test
    void anObjectOfAnotherTableIsRefusedAndNothingOfTheReplaceIsWritten() throws KernelException {
        nft.replaceTable("t", "[" + INPUT + "," + rule("old") + "]");
        String before = listed();
        try (TableReplace replace = nft.startReplace("t")) {
            replace.add(INPUT);
            replace.add(rule("new"));
            replace.add("{\"rule\":{\"family\":\"ip\",\"table\":\"filter\",\"chain\":\"input\",\"expr\":[]}}");
            replace.add(rule("after"));
            KernelException e = assertThrows(KernelException.class, replace::commit);
            assertTrue(e.getMessage().contains("nft object 2: belongs to ip filter, not inet t"), e.getMessage());
        }
        try (TableReplace replace = nft.startReplace("t")) {
            replace.add(INPUT + "]},{\"flush\":{\"ruleset\":null}}");
            KernelException e = assertThrows(KernelException.class, replace::commit);
            assertTrue(e.getMessage().contains("nft object 0"), e.getMessage());
        }
        assertEquals(before, listed());
        assertEquals(1, nft.writes());
    }

    @Test
    void aBatchNftRefusesLeavesTheOldTable() throws KernelException {
        nft.replaceTable("t", "[" + INPUT + "," + rule("old") + "]");
        String before = listed();
        try (TableReplace replace = nft.startReplace("t")) {
            replace.add(INPUT);
            replace.add(rule("new").replace("\"chain\":\"input\"", "\"chain\":\"missing\""));
            KernelException e = assertThrows(KernelException.class, replace::commit);
            assertTrue(e.getMessage().contains("nft -j -f - exited 1"), e.getMessage());
        }
        assertEquals(before, listed());
        assertEquals(1, nft.writes());
    }
}
