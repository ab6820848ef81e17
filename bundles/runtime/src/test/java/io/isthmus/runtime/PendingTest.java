package io.isthmus.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PendingTest {
    private static final int RESOLVED = 4;
    private static final int ACTIVE = 32;

    @Test
    void readyWhenEveryBundleActiveAndEveryComponentSatisfied() {
        Pending p = Pending.of(
                List.of(new Pending.BundleView("a", ACTIVE, false), new Pending.BundleView("frag", RESOLVED, true)),
                List.of(new Pending.ComponentView("c1", true, false, List.of(8)),
                        new Pending.ComponentView("c2", true, false, List.of(4, 8))));
        assertTrue(p.none(), p.toString());
    }

    @Test
    void namesWhatIsPending() {
        Pending p = Pending.of(
                List.of(new Pending.BundleView("io.isthmus.config", RESOLVED, false)),
                List.of(new Pending.ComponentView("needs-ref", true, false, List.of(2)),
                        new Pending.ComponentView("no-instance", true, false, List.of()),
                        new Pending.ComponentView("disabled", false, false, List.of(2)),
                        new Pending.ComponentView("factory-config", true, true, List.of())));
        assertEquals(List.of("io.isthmus.config"), p.bundles());
        assertEquals(List.of("needs-ref", "no-instance"), p.components());
    }
}
