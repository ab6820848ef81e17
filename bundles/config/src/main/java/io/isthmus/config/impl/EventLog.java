package io.isthmus.config.impl;

/**
 * The few log calls this bundle makes. The DS component maps them onto the OSGi {@link
 * org.osgi.service.log.Logger}; tests record them, without an OSGi framework.
 */
interface EventLog {
    void info(String message);

    void warn(String message);

    void error(String message, Throwable cause);
}
