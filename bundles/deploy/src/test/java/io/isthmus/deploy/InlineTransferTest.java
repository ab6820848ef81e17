package io.isthmus.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InlineTransferTest {
    @TempDir
    Path dir;

    @Test
    void chunksInAnyOrderAndTwiceAssembleTheFileAndSurviveANewInstance() throws Exception {
        byte[] data = new byte[10_000];
        new java.util.Random(1).nextBytes(data);
        InlineTransfer t = new InlineTransfer(dir, data.length, 4096);
        assertEquals(List.of(0, 1, 2), t.missing(50));
        assertEquals(1808, t.expectedLength(2));
        t.put(2, Arrays.copyOfRange(data, 8192, 10_000));
        t.put(0, Arrays.copyOfRange(data, 0, 4096));
        t.put(0, Arrays.copyOfRange(data, 0, 4096));
        assertEquals(List.of(1), t.missing(50));
        assertFalse(t.complete());
        // a restart: the chunks are files
        InlineTransfer again = new InlineTransfer(dir, data.length, 4096);
        assertEquals(2, again.received());
        again.put(1, Arrays.copyOfRange(data, 4096, 8192));
        assertTrue(again.complete());
        assertArrayEquals(data, Files.readAllBytes(again.assemble()));
    }
}
