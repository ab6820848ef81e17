package io.isthmus.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The real iproute2 output under src/test/resources/captured (see its README and capture.sh). */
final class Captured {
    private Captured() {
    }

    static String read(String name) {
        try (InputStream in = Captured.class.getResourceAsStream("/captured/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no captured file " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
