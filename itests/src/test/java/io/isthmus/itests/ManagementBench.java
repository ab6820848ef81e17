package io.isthmus.itests;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The management benchmark (run by itests/bench/mgmt.py, as root, in a network namespace of its own): command
 * round trips (status, config.get) p50/p99 over N requests, reconnect time after a broker restart, time from a bad
 * config.put to the gateway back online, and threads/live heap before and after N reconnect cycles. Writes
 * mgmt.md and mgmt.json to the output folder.
 *
 * <p>Usage: ManagementBench OUT_DIR [requests=1000] [restarts=10] [cycles=1000]
 */
public final class ManagementBench {
    private ManagementBench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/bench");
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int restarts = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int cycles = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        Map<String, Object> results = new LinkedHashMap<>();
        Path work = Files.createTempDirectory("isthmus-mgmt-bench-");
        try (Lab lab = Lab.up(); MqttLab mqtt = MqttLab.attach(lab)) {
            mqtt.startBroker();
            Path doc = work.resolve("network.json");
            Files.writeString(doc, ManagementSystemIT.GOOD);
            try (GatewayProcess gw = GatewayProcess.start(lab.inNamespace("gw"), ManagementSystemIT.PROFILE,
                    Optional.of(doc), work.resolve("state"), Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.resolv.conf="
                            + work.resolve("resolv.conf")))) {
                if (gw.awaitReady(Duration.ofSeconds(60)).isEmpty()) {
                    throw new IllegalStateException("gateway not ready:\n" + gw.transcript());
                }
                Thread.sleep(15_000); // the uplink manager settles on eth0 (it starts on the first healthy uplink)
                MqttTestClient.awaitOnline(ManagementSystemIT.DEVICE, Instant.EPOCH);
                try (MqttTestClient c = MqttTestClient.v5("bench-" + UUID.randomUUID(), true)) {
                    c.request(ManagementSystemIT.DEVICE, "status", Map.of(), Duration.ofSeconds(10)); // warm-up
                    results.put("status", roundTrips(c, "status", requests));
                    results.put("config.get", roundTrips(c, "config.get", requests));
                }
                results.put("reconnectAfterBrokerRestartMs", reconnects(mqtt, restarts));
                try (MqttTestClient c = MqttTestClient.v5("bench-" + UUID.randomUUID(), true)) {
                    results.put("badConfigPutToOnlineMs", badPut(c));
                }
                results.put("reconnectCycles", cycles(mqtt, cycles));
            }
        } finally {
            try (var s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("mgmt.json"), MqttTestClient.JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(results));
        Files.writeString(out.resolve("mgmt.md"), table(results, requests, restarts, cycles));
        System.out.print(Files.readString(out.resolve("mgmt.md")));
        System.exit(0);
    }

    static Map<String, Object> roundTrips(MqttTestClient c, String command, int n) throws Exception {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            JsonNode r = c.request(ManagementSystemIT.DEVICE, command, Map.of(), Duration.ofSeconds(10));
            ms[i] = (System.nanoTime() - t) / 1e6;
            if (r.path("status").asInt() != 200) {
                throw new IllegalStateException(command + ": " + r);
            }
        }
        Arrays.sort(ms);
        return Map.of("n", n, "p50", round(ms[n / 2]), "p99", round(ms[(int) Math.ceil(n * 0.99) - 1]),
                "max", round(ms[n - 1]));
    }

    /** Broker stopped for 2 s, then started: time from its listener being up to the gateway's new state. */
    static Map<String, Object> reconnects(MqttLab mqtt, int n) throws Exception {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            mqtt.stopBroker();
            Thread.sleep(2000); // an outage: the agent is in its backoff when the broker returns
            mqtt.startBroker();
            Instant up = Instant.now();
            long t = System.nanoTime();
            MqttTestClient.awaitOnline(ManagementSystemIT.DEVICE, up);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return Map.of("n", n, "p50", round(ms[n / 2]), "max", round(ms[n - 1]));
    }

    static Map<String, Object> badPut(MqttTestClient c) throws Exception {
        String wrong = ManagementSystemIT.document(
                "{\"method\": \"static\", \"address\": \"100.64.1.10/24\", \"gateway\": \"100.64.1.99\"}",
                "{\"method\": \"static\", \"address\": \"100.65.1.10/24\", \"gateway\": \"100.65.1.99\"}");
        Instant sent = Instant.now();
        long t = System.nanoTime();
        JsonNode reply = c.request(ManagementSystemIT.DEVICE, "config.put", Map.of("document",
                MqttTestClient.JSON.readValue(wrong, Map.class)), Duration.ofSeconds(90));
        double replyMs = (System.nanoTime() - t) / 1e6;
        MqttTestClient.awaitOnline(ManagementSystemIT.DEVICE, sent);
        double onlineMs = (System.nanoTime() - t) / 1e6;
        return Map.of("status", reply.path("status").asInt(), "replyMs", round(replyMs), "onlineMs", round(onlineMs),
                "windowMs", ManagementSystemIT.WINDOW.toMillis());
    }

    static Map<String, Object> cycles(MqttLab mqtt, int n) throws Exception {
        JsonNode before = settled();
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Instant down = Instant.now();
            mqtt.killBroker();
            mqtt.startBroker();
            MqttTestClient.awaitOnline(ManagementSystemIT.DEVICE, down);
        }
        double perCycle = (System.nanoTime() - t) / 1e6 / n;
        JsonNode after = settled();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("msPerCycle", round(perCycle));
        m.put("threadsBefore", before.at("/body/threads").asLong());
        m.put("threadsAfter", after.at("/body/threads").asLong());
        m.put("liveHeapBefore", before.at("/body/memory/heapUsedBytes").asLong());
        m.put("liveHeapAfter", after.at("/body/memory/heapUsedBytes").asLong());
        return m;
    }

    static JsonNode settled() throws Exception {
        try (MqttTestClient c = MqttTestClient.v5("bench-" + UUID.randomUUID(), true)) {
            c.request(ManagementSystemIT.DEVICE, "status", Map.of("gc", true), Duration.ofSeconds(10));
            return c.request(ManagementSystemIT.DEVICE, "status", Map.of("gc", true), Duration.ofSeconds(10));
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    @SuppressWarnings("unchecked")
    static String table(Map<String, Object> r, int requests, int restarts, int cycles) {
        Map<String, Object> s = (Map<String, Object>) r.get("status");
        Map<String, Object> g = (Map<String, Object>) r.get("config.get");
        Map<String, Object> rc = (Map<String, Object>) r.get("reconnectAfterBrokerRestartMs");
        Map<String, Object> b = (Map<String, Object>) r.get("badConfigPutToOnlineMs");
        Map<String, Object> c = (Map<String, Object>) r.get("reconnectCycles");
        List<String> lines = new ArrayList<>(List.of("| measure | value |", "|---|---|"));
        lines.add("| `status` round trip, " + requests + " requests | p50 " + s.get("p50") + " ms, p99 " + s.get("p99")
                + " ms |");
        lines.add("| `config.get` round trip, " + requests + " requests | p50 " + g.get("p50") + " ms, p99 "
                + g.get("p99") + " ms |");
        lines.add("| reconnect after a broker restart (2 s outage), " + restarts + " times | p50 " + rc.get("p50")
                + " ms, max " + rc.get("max") + " ms |");
        lines.add("| bad `config.put` → reply (409, rolled back) / back online | " + b.get("replyMs") + " ms / "
                + b.get("onlineMs") + " ms (window " + b.get("windowMs") + " ms) |");
        lines.add("| " + cycles + " reconnect cycles (broker killed and restarted) | " + c.get("msPerCycle")
                + " ms per cycle; threads " + c.get("threadsBefore") + " → " + c.get("threadsAfter") + "; live heap "
                + (((Number) c.get("liveHeapBefore")).longValue() >> 10) + " → "
                + (((Number) c.get("liveHeapAfter")).longValue() >> 10) + " KiB |");
        return String.join("\n", lines) + "\n";
    }
}
