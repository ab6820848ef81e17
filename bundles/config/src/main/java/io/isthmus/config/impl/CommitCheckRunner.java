package io.isthmus.config.impl;

import io.isthmus.api.config.CommitCheck;
import io.isthmus.api.config.NetworkDocument;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs every commit check at once, bounded by the test window as a whole: a slow check must not make
 * the gateway wait longer than the window, and a check that throws or overruns counts as failed.
 */
final class CommitCheckRunner {
    private final ExecutorService pool;

    CommitCheckRunner(ExecutorService pool) {
        this.pool = pool;
    }

    /** Empty when all passed; otherwise every failure, named by its check. */
    Optional<String> run(List<CommitCheck> checks, NetworkDocument applied, Duration window) {
        if (checks.isEmpty()) {
            return Optional.empty();
        }
        List<Callable<Optional<String>>> tasks = checks.stream()
                .map(c -> (Callable<Optional<String>>) () -> c.check(applied, window)).toList();
        List<Future<Optional<String>>> outcomes;
        try {
            outcomes = pool.invokeAll(tasks, window.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while the commit checks ran");
        }
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            String name = name(checks.get(i));
            verdict(outcomes.get(i), window).ifPresent(f -> failures.add("check " + name + " " + f));
        }
        return failures.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", failures));
    }

    private static Optional<String> verdict(Future<Optional<String>> outcome, Duration window) {
        if (outcome.isCancelled()) {
            return Optional.of("did not finish within the test window of " + window.toMillis() + " ms");
        }
        try {
            Optional<String> result = outcome.get();
            return result == null ? Optional.of("failed: it returned no verdict") : result.map(r -> "failed: " + r);
        } catch (ExecutionException e) {
            return Optional.of("failed: " + Failures.describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("was interrupted");
        }
    }

    private static String name(CommitCheck check) {
        try {
            return check.name();
        } catch (RuntimeException e) {
            return check.getClass().getName();
        }
    }
}
