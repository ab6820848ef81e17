package io.isthmus.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import io.isthmus.state.StoreEntry;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
    @TempDir
    Path dir;

    @Test
    void pendingThenCommitSurviveReopeningAndUnusedJarsGo() throws Exception {
        Store store = Store.open(dir);
        Path a = Files.writeString(dir.resolve("a.jar"), "version a");
        Path b = Files.writeString(dir.resolve("b.jar"), "version b");
        String sa = Sha256.of(a);
        String sb = Sha256.of(b);
        store.keep(a, sa);
        store.keep(b, sb);
        StoreEntry.JarRef ra = new StoreEntry.JarRef(sa, "1.0.0");
        StoreEntry.JarRef rb = new StoreEntry.JarRef(sb, "2.0.0");
        StoreEntry e = new StoreEntry("field:x", "x", StoreEntry.FIELD, Optional.of(ra), Optional.empty(),
                Optional.empty());
        store.put(e.withPending(Optional.of(new StoreEntry.Pending("j", "update", Optional.of(rb)))));

        StoreEntry reread = Store.open(dir).entry("field:x").orElseThrow();
        assertEquals("j", reread.pending().orElseThrow().job());
        assertEquals(rb, reread.pending().orElseThrow().target().orElseThrow());
        assertEquals(ra, reread.current().orElseThrow());

        store.put(e.committed(rb));
        reread = Store.open(dir).entry("field:x").orElseThrow();
        assertEquals(Optional.empty(), reread.pending());
        assertEquals(rb, reread.current().orElseThrow());
        assertEquals(ra, reread.previous().orElseThrow());
        assertFalse(Files.exists(dir.resolve("store.json.tmp")));

        store.remove("field:x");
        store.collect();
        assertFalse(Files.exists(store.jar(sa)));
        assertFalse(Files.exists(store.jar(sb)));
        assertTrue(Store.open(dir).entries().isEmpty());
    }
}
