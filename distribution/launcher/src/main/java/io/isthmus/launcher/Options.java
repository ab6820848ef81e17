package io.isthmus.launcher;

import java.nio.file.Path;
import java.util.Optional;

/** {@code isthmus run [--config FILE] [--state DIR] [--shell]}. */
record Options(Optional<Path> config, Path state, boolean shell) {
    static final Path DEFAULT_STATE = Path.of("/var/lib/isthmus");
    static final String USAGE = "usage: isthmus run [--config FILE] [--state DIR] [--shell] | isthmus provision "
            + "[--from DIR] [--etc DIR] [--state DIR] [--user NAME] [--group NAME]";

    static Options parse(String[] args) throws LaunchException {
        if (args.length == 0 || !args[0].equals("run")) {
            throw new LaunchException(USAGE);
        }
        Optional<Path> config = Optional.empty();
        Path state = DEFAULT_STATE;
        boolean shell = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> config = Optional.of(Path.of(value(args, ++i, "--config")));
                case "--state" -> state = Path.of(value(args, ++i, "--state"));
                case "--shell" -> shell = true;
                default -> throw new LaunchException("unknown option " + args[i] + "; " + USAGE);
            }
        }
        return new Options(config, state, shell);
    }

    private static String value(String[] args, int i, String option) throws LaunchException {
        if (i >= args.length || args[i].isEmpty()) {
            throw new LaunchException(option + " needs a value; " + USAGE);
        }
        return args[i];
    }
}
