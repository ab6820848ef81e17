package io.isthmus.itests;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The deploy commands as a fleet tool sends them (docs/deploy.md), over an MQTT test client. */
final class DeployClient {
    static final Duration REPLY = Duration.ofSeconds(20);

    private final MqttTestClient mqtt;
    private final String device;
    private final Duration reply;

    DeployClient(MqttTestClient mqtt, String device) {
        this(mqtt, device, REPLY);
    }

    /** With a longer wait for each reply: an emulated gateway (ImageIT). */
    DeployClient(MqttTestClient mqtt, String device, Duration reply) {
        this.mqtt = mqtt;
        this.device = device;
        this.reply = reply;
    }

    JsonNode request(String command, Map<String, Object> body) throws Exception {
        return mqtt.request(device, command, body, reply);
    }

    /** bundle.update / bundle.install with an inline source: the request, then every chunk. The first reply. */
    JsonNode inline(String command, String job, String bundle, Path jar, int chunkSize, long windowMs,
            Map<String, Object> extra) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>(DeployBundles.describe(jar));
        r.put("job", job);
        r.put("bundle", bundle);
        r.put("source", Map.of("inline", Map.of("chunkSize", chunkSize)));
        r.put("healthWindowMs", windowMs);
        r.putAll(extra);
        JsonNode accepted = request(command, r);
        if (accepted.path("status").asInt() != 200) {
            return accepted;
        }
        byte[] bytes = Files.readAllBytes(jar);
        for (int i = 0, off = 0; off < bytes.length; i++, off += chunkSize) {
            JsonNode c = chunk(job, i, bytes, off, Math.min(chunkSize, bytes.length - off));
            if (c.path("status").asInt() != 200) {
                throw new AssertionError("chunk " + i + ": " + c);
            }
        }
        return accepted;
    }

    JsonNode chunk(String job, int index, byte[] bytes, int offset, int length) throws Exception {
        return request("bundle.chunk", Map.of("job", job, "index", index, "data", Base64.getEncoder().encodeToString(
                java.util.Arrays.copyOfRange(bytes, offset, offset + length))));
    }

    JsonNode url(String command, String job, String bundle, Path jar, String url, long windowMs) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>(DeployBundles.describe(jar));
        r.put("job", job);
        r.put("bundle", bundle);
        r.put("source", Map.of("url", url));
        r.put("healthWindowMs", windowMs);
        return request(command, r);
    }

    /** Polls bundle.job until the job has an outcome; the last answer. */
    JsonNode outcome(String job, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = request("bundle.job", Map.of("job", job));
                if (last.path("body").has("outcome")) {
                    return last.path("body");
                }
            } catch (java.util.concurrent.TimeoutException e) {
                // the gateway may be reconnecting (a rollback of a bundle that cut the broker off)
            }
            Thread.sleep(100); // polling the job's state
        }
        throw new AssertionError("job " + job + " has no outcome after " + timeout + ": " + last);
    }

    /** The bundles.list entry of a bundle, if installed. */
    Optional<JsonNode> bundle(String symbolicName) throws Exception {
        for (JsonNode b : request("bundles.list", Map.of()).path("body").path("bundles")) {
            if (symbolicName.equals(b.path("symbolicName").asText())) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    boolean manageable() throws Exception {
        return request("status", Map.of()).path("status").asInt() == 200;
    }

    static String job() {
        return "it-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
