package io.isthmus.linux;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Nftables;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The Nftables service over {@code nft -j}: a table is replaced in one {@code nft -j -f -} batch of
 * {@code add table}, {@code delete table}, {@code add table} and its objects (docs/firewall.md, implementation notes), so the old table
 * stays whole when nft refuses the new one, and set type changes survive.
 */
@Component(service = Nftables.class, configurationPid = LinuxConfig.PID)
public class NftCli implements Nftables {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String FAMILY = "inet";
    private static final Pattern TABLE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}");
    /** The object kinds a table may hold; anything else (a table, a flush) could reach beyond it. */
    private static final Set<String> KINDS = Set.of("chain", "rule", "set", "map", "element", "counter", "quota",
            "limit");

    private final ProcessRunner runner;
    private final ObjectMapper mapper = new ObjectMapper();
    private final AtomicLong writes = new AtomicLong();

    @Activate
    public NftCli(LinuxConfig config) {
        this(new ProcessRunner(Namespace.of(config.netns()), TIMEOUT));
    }

    NftCli(ProcessRunner runner) {
        this.runner = runner;
    }

    @Override
    public void replaceTable(String table, String objects) throws KernelException {
        runner.run("nft", List.of("-j", "-f", "-"), batch(table, objects));
        writes.incrementAndGet();
    }

    @Override
    public Optional<String> listTable(String table) throws KernelException {
        ProcessResult r = runner.exec("nft", List.of("-j", "list", "table", FAMILY, table(table)), null);
        if (r.ok()) {
            return Optional.of(r.stdout());
        }
        if (r.stderr().contains("No such file or directory")) {
            return Optional.empty();
        }
        throw new KernelException(r.describe());
    }

    @Override
    public long writes() {
        return writes.get();
    }

    /**
     * The whole nft JSON input for one replace; every object is checked to belong to the table. Read and written
     * one object at a time: a table of 10,000 rules never sits in memory as one tree.
     */
    String batch(String table, String objects) throws KernelException {
        String name = table(table);
        StringWriter out = new StringWriter(objects.length() + 256);
        try (JsonParser in = mapper.getFactory().createParser(objects);
                JsonGenerator gen = mapper.getFactory().createGenerator(out)) {
            if (in.nextToken() != JsonToken.START_ARRAY) {
                throw new KernelException("nft objects must be a JSON array");
            }
            ObjectNode tableObject = mapper.createObjectNode().put("family", FAMILY).put("name", name);
            gen.writeStartObject();
            gen.writeArrayFieldStart("nftables");
            for (String verb : List.of("add", "delete", "add")) {
                gen.writeStartObject();
                gen.writeObjectFieldStart(verb);
                gen.writeObjectField("table", tableObject);
                gen.writeEndObject();
                gen.writeEndObject();
            }
            int i = 0;
            while (in.nextToken() != JsonToken.END_ARRAY) {
                gen.writeStartObject();
                gen.writeFieldName("add");
                copy(in, gen, name, i++);
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeEndObject();
        } catch (JsonProcessingException e) {
            throw new KernelException("nft objects are not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new KernelException("nft objects unreadable: " + e.getMessage(), e);
        }
        return out.toString();
    }

    /**
     * Copies one object {@code {"kind": {…}}} token by token, checking its kind and that its body names family inet
     * and this table; never a tree: one set of 10,000 elements is one object (and was a 10 MB tree).
     */
    private static void copy(JsonParser in, JsonGenerator gen, String table, int index)
            throws IOException, KernelException {
        if (in.currentToken() != JsonToken.START_OBJECT || in.nextToken() != JsonToken.FIELD_NAME) {
            throw new KernelException("nft object " + index + ": expected one object like {\"rule\": {…}}");
        }
        String kind = in.currentName();
        if (!KINDS.contains(kind)) {
            throw new KernelException("nft object " + index + ": " + kind + " is not allowed in a table replace");
        }
        if (in.nextToken() != JsonToken.START_OBJECT) {
            throw new KernelException("nft object " + index + ": " + kind + " must be an object");
        }
        gen.writeStartObject();
        gen.writeObjectFieldStart(kind);
        String family = "";
        String owner = "";
        while (in.nextToken() == JsonToken.FIELD_NAME) {
            String field = in.currentName();
            JsonToken value = in.nextToken();
            if (field.equals("family") && value.isScalarValue()) {
                family = in.getText();
            } else if (field.equals("table") && value.isScalarValue()) {
                owner = in.getText();
            }
            gen.writeFieldName(field);
            gen.copyCurrentStructure(in);
        }
        if (!FAMILY.equals(family) || !table.equals(owner)) {
            throw new KernelException("nft object " + index + ": belongs to " + family + " " + owner + ", not "
                    + FAMILY + " " + table);
        }
        gen.writeEndObject();
        if (in.nextToken() != JsonToken.END_OBJECT) {
            throw new KernelException("nft object " + index + ": expected one object like {\"rule\": {…}}");
        }
        gen.writeEndObject();
    }

    static String table(String name) throws KernelException {
        if (name == null || !TABLE.matcher(name).matches()) {
            throw new KernelException("invalid nftables table name: " + name);
        }
        return name;
    }
}
