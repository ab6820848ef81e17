package io.isthmus.mgmt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;

/** JSON text to plain Java values and back; one mapper for the bundle. */
final class Json {
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    private final ObjectMapper mapper = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A JSON object; anything else (an array, a number, broken text) is an IOException saying what. */
    Map<String, Object> object(byte[] json) throws IOException {
        JsonNode tree = mapper.readTree(json);
        if (tree == null || !tree.isObject()) {
            throw new IOException("expected a JSON object");
        }
        return mapper.convertValue(tree, OBJECT);
    }

    Map<String, Object> object(String json) throws IOException {
        return object(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    byte[] bytes(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not representable as JSON: " + e.getOriginalMessage(), e);
        }
    }

    String text(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not representable as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
