package io.isthmus.itests.deploybundle;

/** A service nobody provides: the Needy component waits for it forever. */
public interface Nobody {
}
