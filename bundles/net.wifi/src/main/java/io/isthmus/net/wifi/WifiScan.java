package io.isthmus.net.wifi;

import io.isthmus.api.config.PortConfig;
import io.isthmus.api.mgmt.CommandReply;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code diag.wifi.scan {"port": …}}: a fresh scan of one WiFi port through its wpa_supplicant, and its results. */
final class WifiScan {
    static final Duration SCAN_WAIT = Duration.ofSeconds(10);

    private WifiScan() {
    }

    static CommandReply run(Map<String, Object> request, Map<String, PortConfig> wanted, Map<String, WifiPort> states) {
        Object asked = request.get("port");
        if (asked != null && !(asked instanceof String)) {
            return CommandReply.error(400, "bad-request", "port must be a string", Optional.of("/port"));
        }
        Optional<String> port = asked instanceof String p ? Optional.of(p)
                : wanted.size() == 1 ? wanted.keySet().stream().findFirst() : Optional.empty();
        if (port.isEmpty()) {
            return CommandReply.error(400, "bad-request", "name the WiFi port: one of " + wanted.keySet(),
                    Optional.of("/port"));
        }
        WifiPort state = states.get(port.get());
        if (!wanted.containsKey(port.get()) || state == null) {
            return CommandReply.error(404, "not-found", port.get() + " is not a WiFi port of the document",
                    Optional.of("/port"));
        }
        Optional<WpaControl> control = state.control;
        if (control.isEmpty()) {
            return CommandReply.error(503, "unavailable", port.get() + ": "
                    + state.problem.orElse("wpa_supplicant not attached"), Optional.empty());
        }
        try {
            CountDownLatch done = new CountDownLatch(1);
            state.scanDone = done;
            String reply = control.get().request("SCAN");
            boolean fresh = reply.startsWith("OK") && done.await(SCAN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            List<Map<String, Object>> results = new ArrayList<>();
            WpaReplies.scanResults(control.get().request("SCAN_RESULTS")).forEach(r -> results.add(r.toMap()));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("port", port.get());
            body.put("fresh", fresh);
            body.put("results", results);
            return CommandReply.ok(body);
        } catch (IOException e) {
            return CommandReply.error(503, "unavailable", port.get() + ": " + e.getMessage(), Optional.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CommandReply.error(503, "unavailable", "interrupted", Optional.empty());
        }
    }

}
