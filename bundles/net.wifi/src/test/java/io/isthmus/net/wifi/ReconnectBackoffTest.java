package io.isthmus.net.wifi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    @Test
    void doublesUpToTheMaximumAndStartsOverAfterAReset() {
        ReconnectBackoff b = new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10));
        assertEquals(List.of(1L, 2L, 4L, 8L, 10L, 10L),
                IntStream.range(0, 6).mapToObj(i -> b.next().toSeconds()).toList());
        b.reset();
        assertEquals(Duration.ofSeconds(1), b.next());
    }

    @Test
    void needsAPositiveRange() {
        assertThrows(IllegalArgumentException.class, () -> new ReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
