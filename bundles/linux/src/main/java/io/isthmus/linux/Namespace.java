package io.isthmus.linux;

import io.isthmus.api.linux.KernelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The network namespace commands run in: none (the gateway's own) or a named one, reached by prefixing every
 * argv with {@code ip netns exec NS}. Java cannot switch namespaces itself; tests and the lab use this.
 */
record Namespace(Optional<String> name) {
    static final Namespace NONE = new Namespace(Optional.empty());
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    Namespace {
        name.ifPresent(n -> {
            if (!VALID.matcher(n).matches() || n.equals(".") || n.equals("..")) {
                throw new IllegalArgumentException("invalid network namespace name: " + n);
            }
        });
    }

    /** From the component property: blank means none. */
    static Namespace of(String property) {
        return property == null || property.isBlank() ? NONE : new Namespace(Optional.of(property.strip()));
    }

    boolean isSet() {
        return name.isPresent();
    }

    List<String> argv(String executable, List<String> args) throws KernelException {
        List<String> argv = new ArrayList<>(args.size() + 5);
        if (name.isPresent()) {
            argv.addAll(List.of(ProcessRunner.resolve("ip"), "netns", "exec", name.get()));
        }
        argv.add(executable);
        argv.addAll(args);
        return argv;
    }

    @Override
    public String toString() {
        return name.orElse("(own namespace)");
    }
}
