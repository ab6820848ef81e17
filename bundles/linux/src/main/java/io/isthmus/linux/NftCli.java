package io.isthmus.linux;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Nftables;
import io.isthmus.api.linux.TableReplace;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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

    /**
     * {@code nft -j -f -} started at once: each object is checked as it comes (as {@link #batch} does) and written
     * to nft's standard input, where nft parses it while the caller makes the next. An object refused, or a write
     * nft could not take, poisons the replace: nft is killed before it sees the end of the batch, so nothing of it
     * reaches the kernel, and {@link TableReplace#commit} reports why.
     */
    @Override
    public TableReplace startReplace(String table) throws KernelException {
        String name = table(table);
        return new Streamed(name, runner.startPiped("nft", List.of("-j", "-f", "-")));
    }

    /** The header every replace starts with: add (so that the delete cannot fail), delete, add. */
    private static String head(String name) {
        String tableObject = "{\"table\":{\"family\":\"" + FAMILY + "\",\"name\":\"" + name + "\"}}";
        return "{\"nftables\":[{\"add\":" + tableObject + "},{\"delete\":" + tableObject + "},{\"add\":"
                + tableObject + "}";
    }

    private final class Streamed implements TableReplace {
        private static final byte[] ADD = ",{\"add\":".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] END = "}".getBytes(StandardCharsets.US_ASCII);
        private final String table;
        private final PipedProcess nft;
        private final OutputStream in;
        /** Why an object was refused: nft was killed then. */
        private Optional<String> refused = Optional.empty();
        /** Why nft could not take a write: it exited early, and its exit status says why. */
        private Optional<String> broken = Optional.empty();
        private int index;
        private boolean ended;

        Streamed(String table, PipedProcess nft) {
            this.table = table;
            this.nft = nft;
            this.in = nft.stdin();
            write(head(table).getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public void add(CharSequence object) {
            if (ended) {
                throw new IllegalStateException("replace of table " + FAMILY + " " + table + " already ended");
            }
            if (refused.isPresent()) {
                return;
            }
            byte[] text = object.toString().getBytes(StandardCharsets.UTF_8);
            try (JsonParser p = mapper.getFactory().createParser(text)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new KernelException("nft object " + index + ": expected one object like {\"rule\": {…}}");
                }
                check(p, table, index);
                if (p.nextToken() != null) {
                    throw new KernelException("nft object " + index + ": expected one object, found more after it");
                }
            } catch (KernelException e) {
                refuse(e.getMessage());
                return;
            } catch (IOException e) {
                refuse("nft object " + index + " is not JSON: " + e.getMessage());
                return;
            }
            index++;
            write(ADD);
            write(text);
            write(END);
        }

        private void write(byte[] bytes) {
            if (broken.isPresent() || refused.isPresent()) {
                return;
            }
            try {
                in.write(bytes);
            } catch (IOException e) {
                broken = Optional.of("nft stopped reading its input: " + e.getMessage());
            }
        }

        /** Nothing more goes to nft, which is killed before the end of the batch: the table stays as it is. */
        private void refuse(String why) {
            refused = Optional.of(why + "; table " + FAMILY + " " + table + " unchanged");
            nft.kill();
        }

        @Override
        public void commit() throws KernelException {
            if (ended) {
                throw new IllegalStateException("replace of table " + FAMILY + " " + table + " already ended");
            }
            ended = true;
            if (refused.isPresent()) {
                throw new KernelException(refused.get());
            }
            write("]}".getBytes(StandardCharsets.US_ASCII));
            ProcessResult r = nft.finish();
            if (!r.ok()) {
                throw new KernelException(r.describe());
            }
            if (broken.isPresent()) {
                throw new KernelException(broken.get()); // cannot be: nft saw no whole batch, yet exited 0
            }
            writes.incrementAndGet();
        }

        @Override
        public void close() {
            if (!ended) {
                ended = true;
                nft.kill();
            }
        }
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

    /**
     * {@code nft -j -t list ruleset} and only this table's objects kept: nft 1.0.6 fetches every element of every
     * set for {@code list table} (with {@code -t} too: ~0.2 s at 10,000 elements), not for {@code list ruleset -t}.
     */
    @Override
    public Optional<String> listTableTerse(String table) throws KernelException {
        return only(table(table), runner.run("nft", List.of("-j", "-t", "list", "ruleset")));
    }

    /** The objects of {@code table inet <name>} in a listing of the whole ruleset, or empty without that table. */
    Optional<String> only(String name, String ruleset) throws KernelException {
        try {
            ArrayNode kept = mapper.createArrayNode();
            boolean found = false;
            for (JsonNode o : mapper.readTree(ruleset).path("nftables")) {
                if (!o.isObject() || o.size() != 1) {
                    continue;
                }
                String kind = o.fieldNames().next();
                JsonNode body = o.path(kind);
                boolean ours = FAMILY.equals(body.path("family").asText())
                        && name.equals(body.path(kind.equals("table") ? "name" : "table").asText());
                if (ours) {
                    kept.add(o);
                    found |= kind.equals("table");
                }
            }
            return found ? Optional.of(mapper.createObjectNode().set("nftables", kept).toString()) : Optional.empty();
        } catch (JsonProcessingException e) {
            throw new KernelException("nft -j -t list ruleset: unreadable output: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public long writes() {
        return writes.get();
    }

    /**
     * The whole nft JSON input for one replace; every object is checked to belong to the table. Each object is
     * checked token by token and copied as the text it is (not regenerated): a table of 10,000 rules never sits in
     * memory as one tree, and a set of 10,000 elements costs one pass of the parser.
     */
    String batch(String table, String objects) throws KernelException {
        String name = table(table);
        StringBuilder out = new StringBuilder(objects.length() + 256).append(head(name));
        try (JsonParser in = mapper.getFactory().createParser(objects)) {
            if (in.nextToken() != JsonToken.START_ARRAY) {
                throw new KernelException("nft objects must be a JSON array");
            }
            int i = 0;
            while (in.nextToken() != JsonToken.END_ARRAY) {
                int from = (int) in.currentTokenLocation().getCharOffset();
                check(in, name, i++);
                int to = (int) in.currentLocation().getCharOffset();
                out.append(",{\"add\":").append(objects, from, to).append('}');
            }
        } catch (JsonProcessingException e) {
            throw new KernelException("nft objects are not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new KernelException("nft objects unreadable: " + e.getMessage(), e);
        }
        return out.append("]}").toString();
    }

    /**
     * Reads one object {@code {"kind": {…}}}, checking its kind and that its body names family inet and this
     * table; never a tree: one set of 10,000 elements is one object (and was a 10 MB tree).
     */
    private static void check(JsonParser in, String table, int index) throws IOException, KernelException {
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
            in.skipChildren();
        }
        if (!FAMILY.equals(family) || !table.equals(owner)) {
            throw new KernelException("nft object " + index + ": belongs to " + family + " " + owner + ", not "
                    + FAMILY + " " + table);
        }
        if (in.nextToken() != JsonToken.END_OBJECT) {
            throw new KernelException("nft object " + index + ": expected one object like {\"rule\": {…}}");
        }
    }

    static String table(String name) throws KernelException {
        if (name == null || !TABLE.matcher(name).matches()) {
            throw new KernelException("invalid nftables table name: " + name);
        }
        return name;
    }
}
