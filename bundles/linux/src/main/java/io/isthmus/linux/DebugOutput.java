package io.isthmus.linux;

import org.osgi.service.log.Logger;

/** A daemon's output goes to the log at debug level; its ends are logged by SupervisedProcess. */
record DebugOutput(String name, Logger log) implements SupervisedProcess.Handler {
    @Override
    public void started() {
    }

    @Override
    public void line(String line) {
        log.debug("{}: {}", name, line);
    }

    @Override
    public void ended() {
    }
}
