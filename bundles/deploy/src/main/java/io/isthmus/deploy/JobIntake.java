package io.isthmus.deploy;

import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.JsonValueException;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.runtime.ProtectedBundles;
import io.isthmus.state.StoreEntry;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;
import org.osgi.service.log.Logger;

/**
 * The bundle.* requests of the deploy bundle: reads and checks each (400 with a JSON pointer, 404, 409 before
 * anything is recorded), records the job in the book and hands it to the {@link JobRunner}.
 */
final class JobIntake {
    static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,255}");
    static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern URL = Pattern.compile("https?://[^\\s]{1,2000}");

    private final Deployer.Config config;
    private final Logger log;
    private final Store store;
    private final JobBook book;
    private final InstalledBundles bundles;
    private final JobRecorder recorder;
    private final JobRunner runner;

    JobIntake(Deployer.Config config, Logger log, Store store, JobBook book, InstalledBundles bundles,
            JobRecorder recorder, JobRunner runner) {
        this.config = config;
        this.log = log;
        this.store = store;
        this.book = book;
        this.bundles = bundles;
        this.recorder = recorder;
        this.runner = runner;
    }

    /** bundle.install / bundle.update: accepts the job (it runs asynchronously). */
    CommandReply submit(Job.Kind kind, Map<String, Object> request) {
        return answer("record the job", () -> {
            JsonValue r = JsonValue.root(request);
            Optional<String> jobId = r.optional("job").map(v -> v.string(JOB_ID, "1 to 64 of A-Z a-z 0-9 . _ -"));
            if (jobId.isPresent() && book.get(jobId.get()).isPresent()) {
                return accepted(book.get(jobId.get()).get()); // the same job again: its state, not a new job
            }
            Optional<String> name = r.optional("bundle").map(v -> v.string(SYMBOLIC_NAME, "a bundle symbolic name"));
            String sha256 = r.member("sha256", "64 hex digits").string(SHA256, "64 hex digits").toLowerCase();
            long size = r.member("size", "an integer 1.." + config.maxBundleBytes()).integer(1, config.maxBundleBytes());
            Job.Source source = source(r, size);
            boolean refresh = r.optional("refresh").map(JsonValue::bool).orElse(false);
            Duration window = Duration.ofMillis(r.optional("healthWindowMs").map(v -> v.integer(1000, 600000))
                    .orElse(config.healthWindowMs()));
            String bundle;
            if (kind == Job.Kind.update) {
                bundle = name.orElseThrow(() -> BadInput.bad("/bundle", "missing: expected a bundle symbolic name"));
                Bundle target = bundles.find(bundle);
                InstalledBundles.untouchable(target).ifPresent(why -> {
                    throw new BadInput(409, "refused", "/bundle", why);
                });
            } else {
                bundle = name.orElse("sha256:" + sha256);
                if (name.isPresent() && bundles.installed(bundle).isPresent()) {
                    throw new BadInput(409, "exists", "/bundle", bundle + " is already installed: use bundle.update");
                }
            }
            Job job = new Job(jobId.orElseGet(() -> UUID.randomUUID().toString()), kind, bundle, Optional.of(sha256),
                    size, source, refresh, window);
            if (source instanceof Job.Inline in) {
                job.progress(0, java.util.stream.IntStream.range(0, Math.min(in.chunks(),
                        InlineTransfer.MAX_MISSING_LISTED)).boxed().toList());
            }
            Optional<Job> busy = book.addUnlessBusy(job);
            if (busy.isPresent()) {
                return busy(busy.get());
            }
            log.info("deploy: job " + job.id + ": " + kind + " " + bundle + " (" + size + " bytes, "
                    + (source instanceof Job.Url u ? u.url() : "inline") + ")");
            recorder.publish(job, true);
            if (source instanceof Job.Url) {
                runner.startDownload(job);
            }
            return accepted(job);
        });
    }

    /** bundle.chunk: stores one chunk; when all are in, the job proceeds. */
    CommandReply chunk(Map<String, Object> request) {
        return answer("store the chunk", () -> {
            Job job = job(request);
            if (!(job.source instanceof Job.Inline inline)) {
                throw new BadInput(409, "not-inline", "/job", "job " + job.id + " does not take chunks (its source is "
                        + "a URL or none)");
            }
            InlineTransfer transfer = new InlineTransfer(store.incoming(job.id), job.size, inline.chunkSize());
            if (job.state() != Job.State.receiving) {
                return CommandReply.ok(Map.of("received", inline.chunks(), "missing", List.of(), "state",
                        job.state().name()));
            }
            JsonValue r = JsonValue.root(request);
            int index = (int) r.member("index", "an integer 0.." + (inline.chunks() - 1)).integer(0,
                    inline.chunks() - 1);
            JsonValue text = r.member("data", "the chunk as a base64 string");
            if (!text.isString()) {
                throw BadInput.bad("/data", "expected the chunk as a base64 string, got " + text.describe());
            }
            String s = text.string();
            byte[] data;
            try {
                data = Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                throw BadInput.bad("/data", "not base64: " + e.getMessage());
            }
            if (data.length != transfer.expectedLength(index)) {
                throw BadInput.bad("/data", "chunk " + index + " must have " + transfer.expectedLength(index)
                        + " bytes, has " + data.length);
            }
            transfer.put(index, data);
            List<Integer> missing = transfer.missing(InlineTransfer.MAX_MISSING_LISTED);
            job.progress(transfer.bytes(), missing);
            recorder.publish(job, false);
            if (missing.isEmpty()) {
                runner.startOnce(job, transfer::assemble);
            }
            return CommandReply.ok(Map.of("received", transfer.received(), "missing", missing));
        });
    }

    /** bundle.job: the job as it is now, or its outcome. */
    CommandReply describeJob(Map<String, Object> request) {
        return answer("read the job", () -> CommandReply.ok(job(request).view()));
    }

    /** bundle.rollback: back to the previous committed jar, through the same health window. */
    CommandReply rollback(Map<String, Object> request) {
        return change(request, Job.Kind.rollback);
    }

    /** bundle.uninstall: only bundles installed in the field, and none the gateway cannot lose. */
    CommandReply uninstall(Map<String, Object> request, ProtectedBundles protection) {
        return change(request, Job.Kind.uninstall, Optional.of(protection));
    }

    private CommandReply change(Map<String, Object> request, Job.Kind kind) {
        return change(request, kind, Optional.empty());
    }

    private CommandReply change(Map<String, Object> request, Job.Kind kind, Optional<ProtectedBundles> protection) {
        return answer("record the job", () -> {
            JsonValue r = JsonValue.root(request);
            String name = r.member("bundle", "a bundle symbolic name").string(SYMBOLIC_NAME, "a bundle symbolic name");
            Optional<String> jobId = r.optional("job").map(v -> v.string(JOB_ID, "1 to 64 of A-Z a-z 0-9 . _ -"));
            if (jobId.isPresent() && book.get(jobId.get()).isPresent()) {
                return accepted(book.get(jobId.get()).get());
            }
            Duration window = Duration.ofMillis(r.optional("healthWindowMs").map(v -> v.integer(1000, 600000))
                    .orElse(config.healthWindowMs()));
            Bundle bundle = bundles.find(name);
            InstalledBundles.untouchable(bundle).ifPresent(why -> {
                throw new BadInput(409, "refused", "/bundle", why);
            });
            Optional<StoreEntry> entry = store.entry(bundle.getLocation());
            Optional<String> sha = Optional.empty();
            if (kind == Job.Kind.rollback) {
                StoreEntry.JarRef previous = entry.flatMap(StoreEntry::previous).orElseThrow(() -> new BadInput(409,
                        "no-previous", "/bundle", name + " has no previous version in the store"));
                sha = Optional.of(previous.sha256());
            } else {
                UninstallPolicy.check(bundle, name, protection);
            }
            Job job = new Job(jobId.orElseGet(() -> UUID.randomUUID().toString()), kind, name, sha, 0,
                    new Job.None(), false, window);
            job.state(Job.State.installing); // nothing to receive or verify: the store has the jar
            Optional<Job> busy = book.addUnlessBusy(job);
            if (busy.isPresent()) {
                return busy(busy.get());
            }
            log.info("deploy: job " + job.id + ": " + kind + " " + name);
            runner.start(job, () -> null);
            return accepted(job);
        });
    }
    /** A request's handling: its reply, or the exception that says what is wrong. */
    private interface Handling {
        CommandReply run() throws IOException;
    }

    /** The request's own errors as 400/404/409 with their pointer; 500 when the store cannot {@code doing}. */
    private static CommandReply answer(String doing, Handling handling) {
        try {
            return handling.run();
        } catch (BadInput e) {
            return e.reply();
        } catch (JsonValueException e) {
            return BadInput.bad(e.pointer(), e.reason()).reply();
        } catch (IOException e) {
            return CommandReply.error(500, "store", "cannot " + doing + ": " + e.getMessage(), Optional.empty());
        }
    }

    private Job.Source source(JsonValue request, long size) {
        JsonValue source = request.member("source", "{\"url\": …} or {\"inline\": {\"chunkSize\": …}}").object();
        Optional<JsonValue> inline = source.optional("inline").map(JsonValue::object);
        Optional<String> url = source.optional("url").map(v -> v.string(URL, "an https:// or http:// URL"));
        if (inline.isPresent() == url.isPresent()) {
            throw BadInput.bad("/source", "expected exactly one of \"url\" and \"inline\"");
        }
        if (url.isPresent()) {
            try {
                URI u = URI.create(url.get());
                if (u.getHost() == null) {
                    throw BadInput.bad("/source/url", "no host in " + url.get());
                }
            } catch (IllegalArgumentException e) {
                throw BadInput.bad("/source/url", "not a URL: " + e.getMessage());
            }
            return new Job.Url(url.get());
        }
        int chunkSize = (int) inline.get().member("chunkSize", "an integer 1.." + InlineTransfer.MAX_CHUNK)
                .integer(1, InlineTransfer.MAX_CHUNK);
        return new Job.Inline(chunkSize, InlineTransfer.chunks(size, chunkSize));
    }

    private Job job(Map<String, Object> request) {
        String id = JsonValue.root(request).member("job", "a job id").string(JOB_ID, "a job id");
        return book.get(id).orElseThrow(() -> new BadInput(404, "not-found", "/job", "no job " + id));
    }

    private CommandReply accepted(Job job) {
        Map<String, Object> body = new LinkedHashMap<>(job.view());
        if (job.source instanceof Job.Inline in) {
            body.put("chunks", in.chunks());
        }
        return CommandReply.ok(body);
    }

    private static CommandReply busy(Job running) {
        return new CommandReply(409, Map.of("job", running.id, "state", running.state().name()), Optional.of(
                new CommandReply.Error("busy", "job " + running.id + " for " + running.bundle + " is running ("
                        + running.state() + "); one job per bundle at a time", Optional.of("/bundle"))));
    }
}
