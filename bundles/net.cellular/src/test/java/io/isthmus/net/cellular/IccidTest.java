package io.isthmus.net.cellular;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class IccidTest {
    @Test
    void keepsOnlyTheLastFourDigits() {
        assertEquals("****************0001", Iccid.mask("89490200001234560001"));
        assertEquals("***", Iccid.mask("123"));
        assertEquals("****", Iccid.mask("1234"));
        assertEquals("*2345", Iccid.mask("12345"));
    }
}
