package io.isthmus.mgmt.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.api.json.JsonInputException;
import io.isthmus.api.json.StrictJson;
import java.util.Map;

/** JSON text to plain Java values (the gateway's one reader, {@link StrictJson}) and back. */
public final class JsonCodec {
    private final ObjectMapper mapper = new ObjectMapper(StrictJson.factory());

    /**
     * A JSON object; anything else (an array, a number, broken or empty text, a key given twice, nesting deeper
     * than {@link StrictJson#MAX_DEPTH}) is an exception saying what and where.
     */
    Map<String, Object> object(byte[] json) throws JsonInputException {
        return StrictJson.readObject(json);
    }

    public Map<String, Object> object(String json) throws JsonInputException {
        return StrictJson.readObject(json);
    }

    public byte[] bytes(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not representable as JSON: " + e.getOriginalMessage(), e);
        }
    }

    public String text(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not representable as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
