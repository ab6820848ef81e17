package io.isthmus.itests;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Field-update benchmark (itests/bench/deploy.py) in the lab: the x86-industrial gateway in gw, Mosquitto in the
 * lab's internet, this JVM (own namespace) as the sender and the HTTPS server. Measures, per bundle size and
 * transfer: command → new version ACTIVE (the job's {@code health} event: updated and started) and → committed
 * (after the settle time and the broker probe); rollback after a failed health check; packets lost while the
 * firewall and the uplink bundle are updated under a 100 packet/s stream. Writes deploy.md and deploy.json.
 */
public final class DeployBench {
    static final String DEVICE = DeployLab.DEVICE;
    static final String PROBE = DeployBundles.PROBE;
    static final int CHUNK = 128 * 1024;

    private DeployBench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/bench");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Map<String, Object> results = new LinkedHashMap<>();
        try (DeployLab env = DeployLab.up("deploy-bench")) {
            DeployHttps https = env.https();
            env.startGateway();
            Lab.within(Duration.ofSeconds(30), () -> env.lab.defaultDevice("gw").equals(Optional.of("eth0")));
            Path work = env.work;
            MqttTestClient c = env.client("bench");
            DeployClient deploy = new DeployClient(c, DEVICE);
            String first = DeployClient.job();
            deploy.inline("bundle.install", first, PROBE, DeployBundles.sign(DeployBundles.good(work, "1.0.0"),
                    env.signer, work.resolve("p0.jar")), CHUNK, 5000, Map.of());
            deploy.outcome(first, Duration.ofSeconds(30));
            int version = 1;
            for (int size : new int[] {100_000, 2_000_000}) {
                for (String transfer : List.of("inline", "url")) {
                    List<long[]> samples = new ArrayList<>();
                    Path jar = null;
                    for (int r = 0; r < runs; r++) {
                        jar = DeployBundles.sign(DeployBundles.padded(work, "1." + version + ".0", size), env.signer,
                                work.resolve("p" + version + ".jar"));
                        version++;
                        samples.add(update(c, deploy, https, jar, transfer));
                    }
                    results.put(transfer + " " + (size / 1000) + " KB", summary(samples, Files.size(jar)));
                }
            }
            results.put("rollback", rollbacks(c, deploy, work, env.signer, runs, version));
            results.put("traffic", traffic(env.lab, work, deploy, env.signer));
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("deploy.json"), MqttTestClient.JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(results));
        Files.writeString(out.resolve("deploy.md"), table(results, runs));
        System.out.print(Files.readString(out.resolve("deploy.md")));
        System.exit(0);
    }

    /** One update: {ms to ACTIVE (health event), ms to committed}. */
    private static long[] update(MqttTestClient c, DeployClient deploy, DeployHttps https, Path jar, String transfer)
            throws Exception {
        String job = DeployClient.job();
        long t0 = System.nanoTime();
        if (transfer.equals("inline")) {
            deploy.inline("bundle.update", job, PROBE, jar, CHUNK, 10000, Map.of());
        } else {
            deploy.url("bundle.update", job, PROBE, jar, https.put(jar.getFileName().toString(), jar), 10000);
        }
        long active = awaitEvent(c, job, "health") - t0;
        long committed = awaitEvent(c, job, "committed") - t0;
        return new long[] {active / 1_000_000, committed / 1_000_000};
    }

    /** The nanoTime at which the job's event with this state was first seen here (polled every millisecond). */
    private static long awaitEvent(MqttTestClient c, String job, String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (MqttTestClient.Received e : c.on("/evt/deploy")) {
                if (job.equals(e.json().at("/body/job").asText()) && state.equals(e.json().at("/body/state")
                        .asText())) {
                    return System.nanoTime();
                }
                if (job.equals(e.json().at("/body/job").asText()) && e.json().at("/body").has("outcome")
                        && !state.equals(e.json().at("/body/outcome").asText())) {
                    throw new IllegalStateException("job " + job + " ended " + e.json().at("/body"));
                }
            }
            Thread.sleep(1); // polling what the subscription collected
        }
        throw new IllegalStateException("no " + state + " event for " + job);
    }

    /** Failed health checks: a component never satisfied (window 3 s) and an activation that throws. */
    private static Map<String, Object> rollbacks(MqttTestClient c, DeployClient deploy, Path work, Path signer,
            int runs, int version) throws Exception {
        long window = 3000;
        List<Long> afterWindow = new ArrayList<>();
        List<Long> failedStart = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            String job = DeployClient.job();
            Path needy = DeployBundles.sign(DeployBundles.needy(work, "1." + (version + r) + ".1"), signer,
                    work.resolve("n" + r + ".jar"));
            deploy.inline("bundle.update", job, PROBE, needy, CHUNK, window, Map.of());
            long health = awaitEvent(c, job, "health");
            long back = awaitEvent(c, job, "rolledBack");
            afterWindow.add((back - health) / 1_000_000 - window);
            String j2 = DeployClient.job();
            Path failing = DeployBundles.sign(DeployBundles.failing(work, "1." + (version + r) + ".2"), signer,
                    work.resolve("f" + r + ".jar"));
            long t0 = System.nanoTime();
            deploy.inline("bundle.update", j2, PROBE, failing, CHUNK, window, Map.of());
            failedStart.add((awaitEvent(c, j2, "rolledBack") - t0) / 1_000_000);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("healthWindowMs", window);
        m.put("restoreAfterWindowMs", median(afterWindow));
        m.put("failedStartToRolledBackMs", median(failedStart));
        m.put("samplesAfterWindowMs", afterWindow);
        m.put("samplesFailedStartMs", failedStart);
        return m;
    }

    private static Map<String, Object> traffic(Lab lab, Path work, DeployClient deploy, Path signer)
            throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        try (DeployStreams streams = new DeployStreams(lab, work, 14).start(100)) {
            for (String artifact : List.of("io.isthmus.firewall", "io.isthmus.uplink")) {
                Path jar = DeployBundles.rebuiltFromDistribution(DeployLab.PROFILE, artifact, "0.1.0.bench1",
                        signer, work);
                String job = DeployClient.job();
                long t0 = System.nanoTime();
                deploy.inline("bundle.update", job, artifact, jar, CHUNK, 10000, Map.of());
                JsonNode o = deploy.outcome(job, Duration.ofSeconds(60));
                m.put(artifact, Map.of("outcome", o.path("outcome").asText(), "ms", (System.nanoTime() - t0)
                        / 1_000_000));
            }
            DeployStreams.Result r = streams.finish();
            m.put("sent", r.sent());
            m.put("lost", r.lost());
            m.put("deniedSent", r.deniedSent());
            m.put("deniedPassed", r.deniedPassed());
            m.put("tcpConnections", r.tcpConnections());
        }
        return m;
    }

    private static Map<String, Object> summary(List<long[]> samples, long bytes) {
        List<Long> active = samples.stream().map(s -> s[0]).toList();
        List<Long> committed = samples.stream().map(s -> s[1]).toList();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bytes", bytes);
        m.put("activeMs", median(active));
        m.put("committedMs", median(committed));
        m.put("samplesActiveMs", active);
        m.put("samplesCommittedMs", committed);
        return m;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    @SuppressWarnings("unchecked")
    private static String table(Map<String, Object> results, int runs) {
        StringBuilder sb = new StringBuilder();
        sb.append("| update (median of ").append(runs).append(") | jar | command → ACTIVE | command → committed |\n");
        sb.append("|---|---|---|---|\n");
        results.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m && m.containsKey("activeMs")) {
                sb.append(String.format("| %s | %,d bytes | %d ms | %d ms |%n", k, (Long) m.get("bytes"),
                        (Long) m.get("activeMs"), (Long) m.get("committedMs")));
            }
        });
        Map<String, Object> rb = (Map<String, Object>) results.get("rollback");
        sb.append(String.format("%n| rollback | median |%n|---|---|%n"
                + "| component never satisfied: end of the %d ms health window → previous version back (rolledBack) "
                + "| %d ms |%n| activation throws: command → rolledBack | %d ms |%n", (Long) rb.get("healthWindowMs"),
                (Long) rb.get("restoreAfterWindowMs"), (Long) rb.get("failedStartToRolledBackMs")));
        Map<String, Object> t = (Map<String, Object>) results.get("traffic");
        sb.append(String.format("%n| traffic during the firewall + uplink updates (100 packets/s) | |%n|---|---|%n"
                + "| allowed datagrams sent / lost | %d / %d |%n| denied datagrams sent / passed | %d / %d |%n"
                + "| TCP connections (1 = never broken) | %d |%n", (Integer) t.get("sent"), (Long) t.get("lost"),
                (Integer) t.get("deniedSent"), (Integer) t.get("deniedPassed"), (Long) t.get("tcpConnections")));
        return sb.toString();
    }
}
