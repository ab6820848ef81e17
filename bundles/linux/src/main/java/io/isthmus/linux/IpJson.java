package io.isthmus.linux;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.net.Ipv4Address;
import io.isthmus.api.net.Ipv4Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the JSON arrays {@code ip -j} prints, and the field shapes they share. */
final class IpJson {
    private final ObjectMapper mapper = new ObjectMapper();

    /** The top-level array's objects; empty output (ip prints nothing for an empty table) is an empty list. */
    List<JsonNode> objects(String json) throws KernelException {
        if (json.isBlank()) {
            return List.of();
        }
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new KernelException("unreadable ip -j output: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new KernelException("ip -j output is not a JSON array");
        }
        List<JsonNode> objects = new ArrayList<>();
        root.forEach(n -> {
            if (n.isObject()) {
                objects.add(n);
            }
        });
        return objects;
    }

    static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    static Ipv4Address address(String text) throws KernelException {
        return Ipv4Address.parse(text).orElseThrow(() -> new KernelException("not an IPv4 address: " + text));
    }

    static Optional<Ipv4Address> optionalAddress(JsonNode node, String field) throws KernelException {
        Optional<String> text = text(node, field);
        return text.isEmpty() ? Optional.empty() : Optional.of(address(text.get()));
    }

    static Ipv4Cidr cidr(String address, int prefix) throws KernelException {
        try {
            return new Ipv4Cidr(address(address), prefix);
        } catch (IllegalArgumentException e) {
            throw new KernelException("bad prefix for " + address + ": " + prefix);
        }
    }

    /** Fields the kernel holds as u32 (metric, priority): the same 32 bits in a Java int. */
    static int u32(JsonNode node, String field, int absent) {
        JsonNode v = node.get(field);
        return v == null || !v.canConvertToLong() ? absent : (int) v.asLong();
    }
}
