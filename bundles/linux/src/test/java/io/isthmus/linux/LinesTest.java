package io.isthmus.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A child's output split into lines from its bytes, however the pipe hands them over. */
class LinesTest {

    /** A stream that returns at most {@code chunk} bytes per read, as a pipe does when the child writes slowly. */
    static InputStream chunked(String text, int chunk) {
        ByteArrayInputStream all = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        return new InputStream() {
            @Override
            public int read() {
                return all.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return all.read(b, off, Math.min(len, chunk));
            }
        };
    }

    static List<String> lines(InputStream in) throws IOException {
        List<String> out = new ArrayList<>();
        new Lines().readAll(in, out::add);
        return out;
    }

    @Test
    void linesWhateverTheChunks() throws IOException {
        String text = "64 bytes from 203.0.113.10: icmp_seq=1 ttl=63 time=0.512 ms\n\nno answer yet for icmp_seq=2\r\n"
                + "Grüße 3\nlast without newline";
        List<String> want = List.of("64 bytes from 203.0.113.10: icmp_seq=1 ttl=63 time=0.512 ms", "",
                "no answer yet for icmp_seq=2", "Grüße 3", "last without newline");
        for (int chunk : new int[] {1, 2, 7, 64, 100_000}) {
            assertEquals(want, lines(chunked(text, chunk)), "read " + chunk + " bytes at a time");
        }
        assertEquals(List.of(), lines(chunked("", 10)));
        assertEquals(List.of("a"), lines(chunked("a\n", 10)), "no empty line after the last newline");
    }

    @Test
    void aLineLongerThanTheBuffer() throws IOException {
        String longLine = "x".repeat(20_000);
        assertEquals(List.of(longLine, "y"), lines(chunked(longLine + "\ny\n", 3000)));
    }
}
