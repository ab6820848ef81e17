package io.isthmus.linux;

import io.isthmus.api.linux.KernelChange;

/** One validated change, ready to run: a line for {@code ip -batch} or a sysctl write. */
sealed interface ChangeStep {
    /** Position in the list given to apply, to name the change that failed. */
    int index();

    KernelChange change();

    record IpLine(int index, KernelChange change, String line) implements ChangeStep {
    }

    record SysctlWrite(int index, KernelChange change, String key, String value) implements ChangeStep {
    }
}
