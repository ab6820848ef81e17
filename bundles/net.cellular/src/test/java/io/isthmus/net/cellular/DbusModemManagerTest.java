package io.isthmus.net.cellular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.freedesktop.dbus.exceptions.DBusException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbusModemManagerTest {
    @Test
    void theSocketOfAUnixPathAddressIsFound() {
        assertEquals(Optional.of(Path.of("/tmp/x/bus")), DbusModemManager.socketOf("unix:path=/tmp/x/bus"));
        assertEquals(Optional.of(Path.of("/tmp/x/bus")), DbusModemManager.socketOf("unix:path=/tmp/x/bus,guid=42"));
        assertEquals(Optional.empty(), DbusModemManager.socketOf("unix:abstract=/tmp/dbus-XYZ"));
    }

    /**
     * A gateway without a bus (no modem fitted) must not wait for dbus-java's ten seconds of retries: the socket
     * is checked first (dbus-java's own message would not name it).
     */
    @Test
    void aMissingBusSocketIsReportedWithoutAskingDbusJava(@TempDir Path dir) {
        DBusException e = assertThrows(DBusException.class,
                () -> DbusModemManager.connect("unix:path=" + dir.resolve("no-bus"), () -> { }));
        assertTrue(e.getMessage().contains("no-bus"), e.getMessage());
    }
}
