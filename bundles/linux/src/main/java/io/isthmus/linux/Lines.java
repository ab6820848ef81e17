package io.isthmus.linux;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a child's output into lines straight from the bytes, as they come: one {@code read} takes whatever the
 * pipe holds, every whole line in it is handed on, no character decoder in between. A long-lived child (a ping
 * printing a reply twice a second, for ever) is read for the life of the gateway, mostly by interpreted code,
 * so the bytes of a line are looked at once. Lines end at {@code \n} (a {@code \r} before it is dropped); text
 * after the last one is a line at the end of the stream.
 */
final class Lines {
    /** As large as the process stream's own buffer, so a read goes straight to the pipe. */
    private byte[] buf = new byte[8192];
    private int filled;

    /** Reads {@code in} to its end, handing each line to {@code line}. */
    void readAll(InputStream in, Consumer<String> line) throws IOException {
        while (true) {
            if (filled == buf.length) {
                buf = java.util.Arrays.copyOf(buf, buf.length * 2); // a line longer than the buffer
            }
            int n = in.read(buf, filled, buf.length - filled);
            if (n < 0) {
                if (filled > 0) {
                    line.accept(text(0, filled));
                    filled = 0;
                }
                return;
            }
            int start = 0;
            int end = filled + n;
            for (int i = filled; i < end; i++) {
                if (buf[i] == '\n') {
                    line.accept(text(start, i));
                    start = i + 1;
                }
            }
            filled = end - start;
            if (start > 0 && filled > 0) {
                System.arraycopy(buf, start, buf, 0, filled);
            }
        }
    }

    private String text(int from, int to) {
        int end = to > from && buf[to - 1] == '\r' ? to - 1 : to;
        return new String(buf, from, end - from, StandardCharsets.UTF_8);
    }
}
