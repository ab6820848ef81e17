package io.isthmus.deploy;

import io.isthmus.api.mgmt.EventPublisher;
import io.isthmus.api.mgmt.EventRelay;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.log.Logger;

/** Every state a job passes through: written to jobs.json and told on evt/deploy. */
final class JobRecorder {
    private static final long PROGRESS_EVERY_MS = 1000;

    private final JobBook book;
    private final EventRelay events;
    private final Logger log;
    private final Map<String, long[]> lastProgress = new ConcurrentHashMap<>();

    JobRecorder(JobBook book, EventRelay events, Logger log) {
        this.book = book;
        this.events = events;
        this.log = log;
    }

    void transition(Job job, Job.State state) {
        job.state(state);
        save();
        publish(job, true);
    }

    void end(Job job, Job.State state, String reason) {
        job.finish(state, Optional.ofNullable(reason));
        save();
        log.info("deploy: job " + job.id + ": " + job.bundle + " " + state + (reason == null ? "" : ": " + reason));
        publish(job, true);
    }

    /** The job no longer runs: its progress throttle goes. */
    void forget(Job job) {
        lastProgress.remove(job.id);
    }

    private void save() {
        try {
            book.save();
        } catch (IOException e) {
            log.error("deploy: cannot write jobs.json: " + e.getMessage(), e);
        }
    }

    /** evt/deploy: every state change; progress at most every 5 % or once a second. */
    void publish(Job job, boolean stateChange) {
        if (!stateChange) {
            long now = System.currentTimeMillis();
            long[] last = lastProgress.computeIfAbsent(job.id, k -> new long[] {-100, 0});
            int percent = job.percent();
            synchronized (last) {
                if (percent < 100 && percent - last[0] < 5 && now - last[1] < PROGRESS_EVERY_MS) {
                    return;
                }
                last[0] = percent;
                last[1] = now;
            }
        }
        try {
            // while mgmt itself is being updated, or before it is bound: kept by the relay until it is
            events.publish("deploy", job.view(), stateChange ? EventPublisher.Priority.HIGH : EventPublisher.Priority.LOW);
        } catch (RuntimeException e) {
            log.warn("deploy: event not queued: " + e.getMessage());
        }
    }
}
