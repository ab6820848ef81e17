package io.isthmus.mgmt.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

    static List<Long> waits(Backoff b, int n) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(b.next().toMillis());
        }
        return out;
    }

    @Test
    void doublesUpToTheMaximumBetweenHalfAndAllOfEachStep() {
        Backoff low = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(2), () -> 0.0);
        Backoff high = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(2), () -> 0.999_999);

        assertEquals(List.of(125L, 250L, 500L, 1000L, 1000L), waits(low, 5));
        assertEquals(List.of(249L, 499L, 999L, 1999L, 1999L), waits(high, 5));
    }

    @Test
    void resetStartsOverAfterAConnection() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), () -> 0.0);
        waits(b, 6);
        b.reset();

        assertEquals(50L, b.next().toMillis());
    }
}
