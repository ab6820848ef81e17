package io.isthmus.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OSGi manifest headers ({@code Import-Package}, {@code Require-Capability}, …) split into clauses: names,
 * attributes ({@code a=v}, {@code a:Type=v}) and directives ({@code d:=v}); quoted values may hold , ; =.
 */
final class Headers {
    record Clause(List<String> names, Map<String, String> attributes, Map<String, String> directives) {
    }

    private Headers() {
    }

    static List<Clause> parse(String header) {
        List<Clause> out = new ArrayList<>();
        if (header == null || header.isBlank()) {
            return out;
        }
        for (String clause : split(header, ',')) {
            List<String> names = new ArrayList<>();
            Map<String, String> attributes = new LinkedHashMap<>();
            Map<String, String> directives = new LinkedHashMap<>();
            for (String part : split(clause, ';')) {
                int d = part.indexOf(":=");
                int a = part.indexOf('=');
                if (d > 0 && d <= a - 1) {
                    directives.put(part.substring(0, d).trim(), unquote(part.substring(d + 2)));
                } else if (a > 0) {
                    String key = part.substring(0, a).trim();
                    int typed = key.indexOf(':');
                    attributes.put(typed > 0 ? key.substring(0, typed).trim() : key, unquote(part.substring(a + 1)));
                } else if (!part.isBlank()) {
                    names.add(part.trim());
                }
            }
            out.add(new Clause(names, attributes, directives));
        }
        return out;
    }

    /** The symbolic name without its directives ({@code a.b;singleton:=true} → {@code a.b}). */
    static String firstName(String header) {
        List<Clause> c = parse(header);
        return c.isEmpty() || c.get(0).names().isEmpty() ? "" : c.get(0).names().get(0);
    }

    private static List<String> split(String s, char on) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : s.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == on && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    private static String unquote(String v) {
        String t = v.trim();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }
}
