/** Log output: the OSGi log to stdout, one line per entry. Private implementation, nothing exported. */
package io.isthmus.log;
