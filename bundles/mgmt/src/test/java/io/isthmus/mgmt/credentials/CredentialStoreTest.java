package io.isthmus.mgmt.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isthmus.api.config.ManagementConfig.Tls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk life of rotated credentials: staged whole, committed by one rename, cut-short sets dropped. */
class CredentialStoreTest {
    static final Tls DOCUMENT = new Tls(Optional.of("/etc/isthmus/ca.pem"), Optional.of("/etc/isthmus/gw.pem"),
            Optional.of("/etc/isthmus/gw.key"));

    @TempDir
    Path dir;

    @Test
    void aStagedSetIsNotInForceAndARestartDropsIt() throws Exception {
        CredentialStore store = new CredentialStore(dir.resolve("credentials"));
        CredentialSet staged = store.stage("CERT", "KEY", Optional.empty());

        assertEquals(DOCUMENT, store.effective(DOCUMENT), "staged is not committed");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(staged.keyFile())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(
                "credentials"))));
        // what a kill -9 during the trial leaves: the next start drops the set and keeps the document's files
        CredentialStore restarted = new CredentialStore(dir.resolve("credentials"));
        restarted.recover();
        assertFalse(Files.exists(staged.dir()));
        assertEquals(DOCUMENT, restarted.effective(DOCUMENT));
    }

    @Test
    void aCommittedSetStandsInForTheDocumentsFilesUntilTheDocumentNamesOthers() throws Exception {
        CredentialStore store = new CredentialStore(dir.resolve("credentials"));
        CredentialSet first = store.stage("CERT1", "KEY1", Optional.of("CA1"));
        store.commit(first, DOCUMENT);

        assertEquals(new Tls(Optional.of(first.dir().resolve("ca.pem").toString()), Optional.of(first.certFile()
                .toString()), Optional.of(first.keyFile().toString())), store.effective(DOCUMENT));
        Tls other = new Tls(DOCUMENT.caFile(), Optional.of("/etc/isthmus/new.pem"),
                Optional.of("/etc/isthmus/new.key"));
        assertEquals(other, store.effective(other), "the operator chose other files: the document wins");

        CredentialSet second = store.stage("CERT2", "KEY2", Optional.empty());
        CredentialSet cut = store.stage("CERT3", "KEY3", Optional.empty());
        store.commit(second, DOCUMENT);
        assertFalse(Files.exists(first.dir()), "the set it replaced is gone");
        store.recover();
        assertFalse(Files.exists(cut.dir()), "a set no pointer names is dropped at start");
        assertEquals(List.of(dir.resolve("credentials/current.json"), second.dir()), store.entries());
        assertEquals(Optional.of("CERT2"), Optional.of(Files.readString(store.effective(DOCUMENT).certFile()
                .map(Path::of).orElseThrow())));
        assertEquals(DOCUMENT.caFile(), store.effective(DOCUMENT).caFile(), "no CA in the set: the document's");
        assertTrue(store.installed().isPresent());
    }
}
