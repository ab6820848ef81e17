package io.isthmus.itests;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Which distributions a {@link PerProfile} test class boots. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Profiles {
    /** Profile ids; none means every device profile of device-profiles/. */
    String[] value() default {};

    /** Bundles ({@code groupId:artifactId}) to leave out of each profile, to see the checks fail. */
    String[] without() default {};
}
