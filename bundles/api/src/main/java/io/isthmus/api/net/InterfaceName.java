package io.isthmus.api.net;

import java.util.regex.Pattern;
import org.osgi.annotation.versioning.ProviderType;

/** Linux interface names as the kernel accepts them (IFNAMSIZ - 1 = 15 bytes, no '/', ':' or blanks). */
@ProviderType
public final class InterfaceName {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    private InterfaceName() {
    }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }
}
