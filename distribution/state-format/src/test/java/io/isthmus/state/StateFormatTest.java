package io.isthmus.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The shared definitions read back what they write, and say where a file breaks the shape. */
class StateFormatTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    @Test
    void aDistributionLocationReadsBackItsParts() {
        BundleLocation l = new BundleLocation("io.isthmus", "io.isthmus.firewall", Optional.empty());
        assertEquals("isthmus:io.isthmus:io.isthmus.firewall", l.location());
        assertEquals(Optional.of(l), BundleLocation.parse(l.location()));
        BundleLocation c = new BundleLocation("org.example", "x", Optional.of("linux"));
        assertEquals("isthmus:org.example:x:linux", c.location());
        assertEquals(Optional.of(c), BundleLocation.parse(c.location()));
        for (String other : List.of("field:org.example.z", "isthmus:only", "isthmus:a:b:c:d", "isthmus::b",
                "mvn:io.isthmus/io.isthmus.api/0.1.0")) {
            assertEquals(Optional.empty(), BundleLocation.parse(other), other);
        }
        assertTrue(BundleLocation.isField(BundleLocation.field("org.example.z")));
        assertFalse(BundleLocation.isDistribution(BundleLocation.field("org.example.z")));
        assertThrows(IllegalArgumentException.class, () -> new BundleLocation("a:b", "c", Optional.empty()));
    }

    @Test
    void theStoreReadsBackWhatItWrites() throws Exception {
        StoreEntry.JarRef a = new StoreEntry.JarRef(A, "1.0.0");
        StoreEntry.JarRef b = new StoreEntry.JarRef(B, "2.0.0");
        StoreEntry dist = new StoreEntry("isthmus:org.example:a", "org.example.a", StoreEntry.DISTRIBUTION,
                Optional.of(a), Optional.empty(), Optional.empty())
                .withPending(Optional.of(new StoreEntry.Pending("j1", "update", Optional.of(b))));
        StoreEntry field = new StoreEntry("field:z", "z", StoreEntry.FIELD, Optional.of(b), Optional.of(a),
                Optional.of(new StoreEntry.Pending("j2", "uninstall", Optional.empty())));
        Map<String, StoreEntry> entries = new LinkedHashMap<>();
        entries.put(dist.location(), dist);
        entries.put(field.location(), field);
        DeployStoreFile file = new DeployStoreFile(entries);

        Map<String, Object> json = file.toJson();
        assertEquals(1, json.get("format"));
        assertEquals(file, DeployStoreFile.fromJson(json));
        assertEquals(Optional.of(b), dist.committed(b).current());
        assertEquals(Optional.of(a), dist.committed(b).previous());
        assertEquals(Optional.empty(), dist.committed(b).pending());
    }

    @Test
    void aStoreOfTheWrongShapeIsRefusedWithThePointerOfTheBadValue() {
        Map<String, Object> bad = Map.of("format", 1, "bundles", Map.of("field:a/b", Map.of("bsn", "x", "origin",
                "field", "current", Map.of("sha256", "../../etc/passwd", "version", "1"))));
        StateFormatException e = assertThrows(StateFormatException.class, () -> DeployStoreFile.fromJson(bad));
        assertEquals("/bundles/field:a~1b/current/sha256", e.pointer());
        e = assertThrows(StateFormatException.class, () -> DeployStoreFile.fromJson(Map.of("bundles", List.of())));
        assertEquals("/bundles", e.pointer());
        e = assertThrows(StateFormatException.class, () -> DeployStoreFile.fromJson(Map.of("bundles",
                Map.of("x", Map.of("origin", "field")))));
        assertEquals("/bundles/x/bsn", e.pointer());
        assertTrue(e.getMessage().endsWith("is missing"), e.getMessage());
    }

    @Test
    void unknownMembersAreIgnoredSoAWriterMayAddSome() throws Exception {
        Map<String, Object> json = Map.of("format", 1, "later", true, "bundles", Map.of("x", Map.of("bsn", "x",
                "origin", "field", "note", "added by a newer deploy bundle")));
        assertEquals("x", DeployStoreFile.fromJson(json).bundles().get("x").bsn());
    }

    @Test
    void theBundleIndexReadsBackWhatItWrites() throws Exception {
        BundleIndexFile index = new BundleIndexFile(Map.of("isthmus:g:a", A), Map.of("pid", B),
                Map.of("isthmus:g:a", "10:20:(dev=1,ino=2)"));
        assertEquals(index, BundleIndexFile.fromJson(index.toJson()));
        assertEquals(BundleIndexFile.empty(), BundleIndexFile.fromJson(Map.of()));
        StateFormatException e = assertThrows(StateFormatException.class,
                () -> BundleIndexFile.fromJson(Map.of("bundles", Map.of("isthmus:g:a", 3))));
        assertEquals("/bundles/isthmus:g:a", e.pointer());
    }
}
