package io.isthmus.itests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What every deploy test and the deploy benchmark stand on: the lab with Mosquitto in its internet, this JVM linked
 * into it (with a route back to the gateway's uplink addresses, for the HTTPS server here), a signing key the
 * gateway trusts (its certificate in {@code <state>/deploy/trusted/}), and the x86-industrial gateway in gw.
 */
final class DeployLab implements AutoCloseable {
    static final String PROFILE = "x86-industrial";
    static final String DEVICE = ManagementSystemIT.DEVICE;
    /** This JVM's side of its link into the lab's internet: where the HTTPS server listens. */
    static final String HTTPS_ADDR = "198.18.0.2";

    final Path work;
    final Path state;
    final Path keys;
    final Path signer;
    Lab lab;
    MqttLab mqtt;
    GatewayProcess gateway;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private DeployLab(Path work) throws Exception {
        this.work = work;
        this.state = work.resolve("state");
        this.keys = Files.createDirectories(work.resolve("keys"));
        this.signer = DeployBundles.key(keys, "signer", state.resolve("deploy/trusted/signer.pem"));
    }

    static DeployLab up(String name) throws Exception {
        DeployLab d = new DeployLab(Files.createTempDirectory("isthmus-" + name + "-"));
        try {
            d.lab = Lab.up();
            d.mqtt = MqttLab.attach(d.lab);
            d.mqtt.startBroker();
            // replies to the gateway's uplink addresses go back through the lab's internet (this namespace only)
            Lab.run(List.of("ip", "route", "replace", "100.64.0.0/10", "via", "198.18.0.1"), Duration.ofSeconds(5));
            return d;
        } catch (Exception e) {
            d.close();
            throw e;
        }
    }

    /** An HTTPS server here whose certificate the gateway trusts for downloads. */
    DeployHttps https() throws Exception {
        Path key = DeployBundles.key(keys, "https", state.resolve("deploy/https-trusted/https.pem"), "-ext",
                "SAN=ip:" + HTTPS_ADDR);
        return closing(new DeployHttps(HTTPS_ADDR, 8443, key));
    }

    /** Starts the gateway with the lab document and waits until it is ready and online. */
    GatewayProcess startGateway() throws Exception {
        return startGateway(ManagementSystemIT.GOOD);
    }

    /** The same with {@code document}. */
    GatewayProcess startGateway(String document) throws Exception {
        Path doc = work.resolve("network.json");
        Files.writeString(doc, document);
        Instant before = Instant.now();
        gateway = GatewayProcess.start(lab.inNamespace("gw"), PROFILE, Optional.of(doc), state,
                Map.of("ISTHMUS_JAVA_OPTS", "-Disthmus.resolv.conf=" + work.resolve("resolv.conf")));
        if (gateway.awaitReady(Duration.ofSeconds(60)).isEmpty()) {
            throw new AssertionError("gateway not ready:\n" + gateway.transcript());
        }
        MqttTestClient.awaitOnline(DEVICE, before);
        return gateway;
    }

    /** SIGKILL: a power cut as far as the gateway can tell. */
    void killGateway() throws Exception {
        Lab.run(List.of("kill", "-9", String.valueOf(gateway.pid())), Duration.ofSeconds(5));
        gateway.close();
    }

    /** An MQTT 5 client that collects evt/deploy. */
    MqttTestClient client(String name) throws Exception {
        MqttTestClient c = closing(MqttTestClient.v5(name + "-" + UUID.randomUUID(), true));
        c.subscribe("isthmus/v1/" + DEVICE + "/evt/deploy");
        return c;
    }

    private <T extends AutoCloseable> T closing(T c) {
        closeables.add(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        List<AutoCloseable> all = new ArrayList<>(closeables);
        all.addAll(java.util.Arrays.asList(gateway, mqtt, lab));
        for (AutoCloseable c : all) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // best effort: the rest still goes
                }
            }
        }
        try (Stream<Path> s = Files.walk(work)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
