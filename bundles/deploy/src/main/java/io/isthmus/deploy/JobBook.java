package io.isthmus.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isthmus.api.json.StrictJson;
import io.isthmus.api.runtime.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every job by id: the running ones and the last {@value #KEEP} finished, persisted in {@code jobs.json} at each
 * state change, so a sender that comes back later learns the outcome and a repeated job id is never run twice.
 */
final class JobBook {
    static final int KEEP = 100;
    private static final TypeReference<List<Map<String, Object>>> LIST = new TypeReference<>() {
    };

    private final Path file;
    private final ObjectMapper mapper = new ObjectMapper(StrictJson.factory());
    private final LinkedHashMap<String, Job> jobs = new LinkedHashMap<>();

    private JobBook(Path file) {
        this.file = file;
    }

    static JobBook open(Path file) throws IOException {
        JobBook b = new JobBook(file);
        if (Files.exists(file)) {
            for (Map<String, Object> m : b.mapper.readValue(file.toFile(), LIST)) {
                Job j = Job.fromRecord(m);
                b.jobs.put(j.id, j);
            }
        }
        return b;
    }

    synchronized Optional<Job> get(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** The unfinished job of this bundle, if any: one job per bundle at a time. */
    synchronized Optional<Job> running(String bundle) {
        return jobs.values().stream().filter(j -> j.bundle.equals(bundle) && !j.state().terminal()).findFirst();
    }

    synchronized List<Job> unfinished() {
        return jobs.values().stream().filter(j -> !j.state().terminal()).toList();
    }

    /** Adds the job unless its bundle is busy; the busy job otherwise. */
    synchronized Optional<Job> addUnlessBusy(Job job) throws IOException {
        Optional<Job> busy = running(job.bundle);
        if (busy.isPresent()) {
            return busy;
        }
        jobs.put(job.id, job);
        save();
        return Optional.empty();
    }

    /** Writes the book (after a state change of any job), dropping the oldest finished jobs beyond the limit. */
    synchronized void save() throws IOException {
        long finished = jobs.values().stream().filter(j -> j.state().terminal()).count();
        var it = jobs.values().iterator();
        while (finished > KEEP && it.hasNext()) {
            if (it.next().state().terminal()) {
                it.remove();
                finished--;
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        jobs.values().forEach(j -> out.add(j.record()));
        AtomicFile.write(file, mapper.writeValueAsBytes(out));
    }
}
