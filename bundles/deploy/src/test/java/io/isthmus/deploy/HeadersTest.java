package io.isthmus.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadersTest {
    @Test
    void clausesWithQuotedValuesAttributesAndDirectives() {
        List<Headers.Clause> c = Headers.parse("a.b;c.d;version=\"[1.2,2)\";resolution:=optional,"
                + "osgi.ee;filter:=\"(&(osgi.ee=JavaSE)(version=17))\",x;version:Version=1.0");
        assertEquals(3, c.size());
        assertEquals(List.of("a.b", "c.d"), c.get(0).names());
        assertEquals(Map.of("version", "[1.2,2)"), c.get(0).attributes());
        assertEquals(Map.of("resolution", "optional"), c.get(0).directives());
        assertEquals("(&(osgi.ee=JavaSE)(version=17))", c.get(1).directives().get("filter"));
        assertEquals("1.0", c.get(2).attributes().get("version"));
    }

    @Test
    void symbolicNameWithoutDirectives() {
        assertEquals("io.x", Headers.firstName("io.x;singleton:=true"));
        assertEquals("", Headers.firstName(null));
    }
}
