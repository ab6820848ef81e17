package io.isthmus.ctl;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Progress on stderr, fed by the jobs' states ({@code evt/deploy}, chunks sent). On a terminal one line redrawn in
 * place: a bar over the devices finished (or the one device's percent) and what the running ones do. Otherwise
 * (a pipe, a log, {@code --json}) a plain line per state change and per 25 % of a transfer.
 */
final class ProgressView implements DeployJob.Progress {
    private static final int BAR = 24;
    private final PrintWriter err;
    private final boolean tty;
    private final int total;
    private final Map<String, String> running = new ConcurrentSkipListMap<>();
    private final Map<String, String> lastPlain = new ConcurrentSkipListMap<>();
    private final Map<String, Integer> lastPercent = new ConcurrentSkipListMap<>();
    private int finished;
    private long lastDraw;
    private int singlePercent;

    ProgressView(PrintWriter err, boolean tty, int total) {
        this.err = err;
        this.tty = tty;
        this.total = Math.max(1, total);
    }

    @Override
    public synchronized void state(String device, String state, int percent, long bytes, long size) {
        String what = state + ("receiving".equals(state) && size > 0 ? " " + percent + "% " + mb(bytes) + "/"
                + mb(size) + " MB" : "");
        running.put(device, what);
        singlePercent = "receiving".equals(state) ? percent : singlePercent;
        if (tty) {
            long now = System.nanoTime();
            if (now - lastDraw > 100_000_000L || Outcome.ofJobState(state).isPresent()) {
                lastDraw = now;
                draw();
            }
        } else if (Outcome.ofJobState(state).isEmpty()) { // the end gets its own line from finished()
            String step = state;
            if ("receiving".equals(state)) {
                // our chunk count and the gateway's events both report; only forward steps are news
                int shown = lastPercent.getOrDefault(device, -1);
                if (percent / 25 * 25 <= shown) {
                    return;
                }
                lastPercent.put(device, percent / 25 * 25);
                step = state + " " + (percent / 25 * 25) + "%";
            }
            if (!step.equals(lastPlain.put(device, step))) {
                err.println(device + ": " + step);
                err.flush();
            }
        }
    }

    /** A device is done (or reverted): one permanent line. */
    synchronized void finished(DeviceResult r) {
        running.remove(r.device());
        finished++;
        clear();
        err.println(r.device() + ": " + r.outcome().word + " " + r.fromVersion().orElse("-") + " -> "
                + r.toVersion().orElse("-") + " in " + String.format("%.1f s", r.millis() / 1000.0)
                + r.reason().map(x -> " (" + x + ")").orElse(""));
        if (tty) {
            draw();
        }
        err.flush();
    }

    synchronized void note(String line) {
        clear();
        err.println(line);
        err.flush();
    }

    /** Removes the bar before the summary. */
    synchronized void close() {
        clear();
        err.flush();
    }

    private void draw() {
        int percent = total == 1 && finished == 0 ? singlePercent : finished * 100 / total;
        int filled = percent * BAR / 100;
        StringBuilder b = new StringBuilder("\r[").append("#".repeat(filled)).append("-".repeat(BAR - filled))
                .append("] ");
        b.append(total == 1 ? percent + "%" : finished + "/" + total);
        running.forEach((d, s) -> b.append("  ").append(d).append(": ").append(s));
        String line = b.length() > 150 ? b.substring(0, 147) + "..." : b.toString();
        err.print(line + "\u001b[K");
        err.flush();
    }

    private void clear() {
        if (tty) {
            err.print("\r\u001b[K");
        }
    }

    private static String mb(long bytes) {
        return String.format("%.1f", bytes / 1_048_576.0);
    }
}
