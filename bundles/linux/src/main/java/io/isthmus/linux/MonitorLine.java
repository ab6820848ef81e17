package io.isthmus.linux;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of {@code ip -o monitor link}: {@code [Deleted ]INDEX: NAME[@PEER]: <FLAGS> …}. Only which device
 * changed is taken from it; the state is read again as JSON.
 */
record MonitorLine(int index, String device, boolean deleted) {
    private static final Pattern LINE = Pattern.compile("^(?:\\[LINK\\]\\s*)?(Deleted )?(\\d+): ([^:@\\s]+)(?:@[^:\\s]*)?:");

    static Optional<MonitorLine> parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MonitorLine(Integer.parseInt(m.group(2)), m.group(3), m.group(1) != null));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
