package io.isthmus.ctl;

import java.util.Optional;

/** One device's line in the rollout summary and journal. */
record DeviceResult(String device, String phase, Optional<String> fromVersion, Optional<String> toVersion,
        Outcome outcome, long millis, Optional<String> reason, Optional<String> job) {

    static DeviceResult of(String device, String phase, Outcome outcome, String reason) {
        return new DeviceResult(device, phase, Optional.empty(), Optional.empty(), outcome, 0,
                Optional.ofNullable(reason), Optional.empty());
    }

    DeviceResult withOutcome(Outcome o, Optional<String> why, long addedMillis) {
        return new DeviceResult(device, phase, fromVersion, toVersion, o, millis + addedMillis,
                why.or(() -> reason), job);
    }
}
