package io.isthmus.linux;

import java.lang.reflect.Proxy;
import java.util.Arrays;
import org.osgi.service.log.Logger;

/** An OSGi Logger outside a framework: prints to stderr so test output shows what the components said. */
final class TestLog {
    private TestLog() {
    }

    static Logger logger(String name) {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                    String m = method.getName();
                    if (m.startsWith("is")) {
                        return true;
                    } else if (m.equals("getName")) {
                        return name;
                    } else if (args != null && args.length > 0 && args[0] instanceof String format) {
                        Object[] rest = Arrays.copyOfRange(args, 1, args.length);
                        if (rest.length == 1 && rest[0] instanceof Object[] varargs) {
                            rest = varargs;
                        }
                        StringBuilder b = new StringBuilder(format);
                        for (Object a : rest) {
                            int at = b.indexOf("{}");
                            if (at >= 0) {
                                b.replace(at, at + 2, String.valueOf(a));
                            }
                        }
                        System.err.println(m.toUpperCase() + " " + name + ": " + b);
                    }
                    return null;
                });
    }
}
