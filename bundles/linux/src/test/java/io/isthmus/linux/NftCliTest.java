package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.linux.KernelException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NftCliTest {
    final ProcessRunner runner = new ProcessRunner(Namespace.NONE, Duration.ofSeconds(1));
    final NftCli nft = new NftCli(runner);

    /** Each object is copied as written (checked, not regenerated): a set of 10,000 elements is one parser pass. */
    @Test
    void aReplaceIsOneBatchAddDeleteAddThenTheObjects() throws KernelException {
        String batch = nft.batch("isthmus", "[{\"chain\":{\"family\":\"inet\",\"table\":\"isthmus\",\"name\":\"input\"}}]");
        assertEquals("{\"nftables\":[{\"add\":{\"table\":{\"family\":\"inet\",\"name\":\"isthmus\"}}},"
                + "{\"delete\":{\"table\":{\"family\":\"inet\",\"name\":\"isthmus\"}}},"
                + "{\"add\":{\"table\":{\"family\":\"inet\",\"name\":\"isthmus\"}}},"
                + "{\"add\":{\"chain\":{\"family\":\"inet\",\"table\":\"isthmus\",\"name\":\"input\"}}}]}", batch);
    }

    @Test
    void objectsOfAnotherTableOrOtherCommandsAreRefusedBeforeAnythingRuns() {
        assertThrows(KernelException.class, () -> nft.replaceTable("isthmus",
                "[{\"rule\": {\"family\": \"ip\", \"table\": \"filter\", \"chain\": \"input\"}}]"));
        assertThrows(KernelException.class, () -> nft.replaceTable("isthmus", "[{\"flush\": {\"ruleset\": null}}]"));
        KernelException bad = assertThrows(KernelException.class, () -> nft.replaceTable("is thmus", "[]"));
        assertTrue(bad.getMessage().contains("invalid nftables table name"));
        assertEquals(0, runner.started());
    }

    /** The terse read-back keeps only the gateway's table: another table (an operator's, Docker's) is not ours. */
    @Test
    void theTerseListingKeepsOnlyTheObjectsOfTheTable() throws KernelException {
        String ruleset = "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}},"
                + "{\"table\": {\"family\": \"inet\", \"name\": \"isthmus\", \"handle\": 1}},"
                + "{\"chain\": {\"family\": \"inet\", \"table\": \"isthmus\", \"name\": \"input\", \"handle\": 1}},"
                + "{\"table\": {\"family\": \"ip\", \"name\": \"isthmus\", \"handle\": 2}},"
                + "{\"chain\": {\"family\": \"ip\", \"table\": \"isthmus\", \"name\": \"input\", \"handle\": 1}},"
                + "{\"table\": {\"family\": \"inet\", \"name\": \"docker\", \"handle\": 3}},"
                + "{\"rule\": {\"family\": \"inet\", \"table\": \"docker\", \"chain\": \"input\", \"handle\": 4}}]}";
        assertEquals(java.util.Optional.of("{\"nftables\":[{\"table\":{\"family\":\"inet\",\"name\":\"isthmus\","
                + "\"handle\":1}},{\"chain\":{\"family\":\"inet\",\"table\":\"isthmus\",\"name\":\"input\",\"handle\":1}}]}"),
                nft.only("isthmus", ruleset));
        assertEquals(java.util.Optional.empty(), nft.only("gone", ruleset));
    }
}
