package io.isthmus.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.api.uplink.UplinkSelection.Weighted;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SavedSelectionTest {
    @Test
    void bothPathsSurviveARestart() {
        List<Weighted> management = List.of(new Weighted("wwan0", 1));
        String saved = SavedSelection.serialize(management, Optional.of(List.of()));
        assertEquals("wwan0 1\ndata\n", saved);
        assertEquals(new SavedSelection(management, Optional.of(List.of())), SavedSelection.parse(saved.lines()
                .toList()), "an empty data path stays empty: the DMZ does not go out of the management uplink");
        String both = SavedSelection.serialize(management, Optional.of(List.of(new Weighted("eth0", 3))));
        assertEquals(new SavedSelection(management, Optional.of(List.of(new Weighted("eth0", 3)))),
                SavedSelection.parse(both.lines().toList()));
    }

    @Test
    void aFileOfAnOlderVersionIsOnePath() {
        assertEquals(new SavedSelection(List.of(new Weighted("eth0", 1), new Weighted("eth3", 2)), Optional.empty()),
                SavedSelection.parse(List.of("eth0 1", "eth3 2", "garbage")));
    }
}
