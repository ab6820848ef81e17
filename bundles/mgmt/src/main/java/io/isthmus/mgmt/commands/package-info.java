/** The command handlers of docs/mqtt.md, each a DS component the dispatcher finds by its command name (private). */
package io.isthmus.mgmt.commands;
