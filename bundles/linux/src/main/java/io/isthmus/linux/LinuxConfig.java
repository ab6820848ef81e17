package io.isthmus.linux;

/**
 * Configuration shared by this bundle's components (PID {@value #PID}). {@code netns} runs every command inside
 * the named network namespace; empty (the default) means the gateway's own. Used by tests and the lab.
 */
public @interface LinuxConfig {
    String PID = "io.isthmus.linux";

    String netns() default "";
}
