package io.isthmus.config.impl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Test documents: written with single quotes for readability, turned into JSON here. */
final class Json {
    private Json() {
    }

    static String of(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    static String resource(String name) {
        try (var in = Objects.requireNonNull(Json.class.getResourceAsStream("/" + name), name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
