package io.isthmus.net.cellular;

import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.freedesktop.dbus.Container;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.ObjectManager;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MethodCall;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.Variant;

/**
 * ModemManager on D-Bus (dbus-java, pure Java: the JDK's own AF_UNIX channels, no native code). One connection;
 * {@link #isConnected()} turns false when the bus goes away, and the driver then makes a new one. Property changes
 * and modems coming and going are reported to {@code changed} (to reconcile at once instead of at the next poll).
 */
final class DbusModemManager implements ModemManager, AutoCloseable {
    static final String SERVICE = "org.freedesktop.ModemManager1";
    static final String ROOT = "/org/freedesktop/ModemManager1";
    /** The system bus, unless the component configuration names another address. */
    static final String SYSTEM = "system";

    static final String OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager";
    static final String PROPERTIES = "org.freedesktop.DBus.Properties";
    static final String SIMPLE = "org.freedesktop.ModemManager1.Modem.Simple";
    static final String SIM = "org.freedesktop.ModemManager1.Sim";
    /** Plain calls; Simple.Connect may wait for registration and a bearer for much longer (on its own thread). */
    static final long CALL_TIMEOUT_MS = 20_000;
    static final long CONNECT_TIMEOUT_MS = CellularPort.CONNECT_TIMEOUT.toMillis();

    private final DBusConnection bus;
    private final List<AutoCloseable> handlers = new ArrayList<>();
    private final ExecutorService connects = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "isthmus-cellular-connect");
        t.setDaemon(true);
        return t;
    });

    private final Runnable changed;

    private DbusModemManager(DBusConnection bus, Runnable changed) {
        this.bus = bus;
        this.changed = changed;
    }

    /**
     * Connects to the bus. dbus-java finds its transport with a ServiceLoader: inside OSGi that must look in this
     * bundle (which embeds the transport), not in the thread's context class loader.
     */
    static DbusModemManager connect(String address, Runnable changed) throws DBusException {
        // dbus-java retries a missing socket for 10 s, blocking its caller: a gateway without ModemManager's
        // bus (no modem fitted) must learn that at once
        Optional<Path> socket = socketOf(address);
        if (socket.isPresent() && !Files.exists(socket.get())) {
            throw new DBusException("Failed to connect to bus: " + socket.get() + ": No such file or directory");
        }
        ClassLoader bundle = DbusModemManager.class.getClassLoader();
        DBusConnectionBuilder builder = SYSTEM.equals(address) ? DBusConnectionBuilder.forSystemBus()
                : DBusConnectionBuilder.forAddress(address);
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(bundle);
        try {
            DBusConnection connection = builder.withShared(false).transportConfig()
                    .withServiceLoaderClassLoader(bundle).withTimeout(CONNECT_BUS_TIMEOUT_MS).back().build();
            DbusModemManager mm = new DbusModemManager(connection, changed);
            // dbus-java matches signal sources by unique name only: filter on ModemManager's object paths instead
            mm.handlers.add(connection.addSigHandler(Properties.PropertiesChanged.class, s -> mm.signal(s)));
            mm.handlers.add(connection.addSigHandler(ObjectManager.InterfacesAdded.class, s -> mm.signal(s)));
            mm.handlers.add(connection.addSigHandler(ObjectManager.InterfacesRemoved.class, s -> mm.signal(s)));
            return mm;
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    /** How long a connect to a bus whose socket exists may take. */
    static final int CONNECT_BUS_TIMEOUT_MS = 2_000;

    /** The socket file of a {@code unix:path=} address; the system bus's as D-Bus itself finds it. */
    static Optional<Path> socketOf(String address) {
        String a = address;
        if (SYSTEM.equals(address)) {
            String env = System.getenv("DBUS_SYSTEM_BUS_ADDRESS");
            a = env != null && !env.isBlank() ? env : "unix:path=/var/run/dbus/system_bus_socket";
        }
        String prefix = "unix:path=";
        if (!a.startsWith(prefix)) {
            return Optional.empty(); // abstract sockets, tcp: let dbus-java try
        }
        int comma = a.indexOf(',');
        return Optional.of(Path.of(a.substring(prefix.length(), comma < 0 ? a.length() : comma)));
    }

    private void signal(org.freedesktop.dbus.messages.DBusSignal s) {
        if (s.getPath() != null && s.getPath().startsWith(ROOT)) {
            changed.run();
        }
    }

    boolean isConnected() {
        return bus.isConnected();
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<ModemView> modems() throws ModemError {
        Object objects = invoke(ROOT, OBJECT_MANAGER, "GetManagedObjects", CALL_TIMEOUT_MS, null)[0];
        List<ModemView> modems = new ArrayList<>();
        if (plain(objects) instanceof Map<?, ?> all) {
            all.forEach((path, interfaces) -> {
                if (interfaces instanceof Map<?, ?> m) {
                    ModemView.of(String.valueOf(path), (Map<String, Map<String, Object>>) m).ifPresent(modems::add);
                }
            });
        }
        modems.sort(java.util.Comparator.comparing(ModemView::path));
        return modems;
    }

    @Override
    public Optional<BearerView> bearer(String path) throws ModemError {
        try {
            return Optional.of(BearerView.of(path, properties(path, BearerView.BEARER)));
        } catch (ModemError e) {
            if (List.of("UnknownObject", "UnknownMethod", "UnknownInterface").contains(ModemError.shortName(e.name()))) {
                return Optional.empty(); // gone meanwhile
            }
            throw e;
        }
    }

    @Override
    public Optional<String> iccid(String simPath) throws ModemError {
        return ModemView.text(properties(simPath, SIM).get("SimIdentifier"));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> properties(String path, String iface) throws ModemError {
        return plain(invoke(path, PROPERTIES, "GetAll", CALL_TIMEOUT_MS, "s", iface)[0]) instanceof Map<?, ?> m
                ? (Map<String, Object>) m : Map.of();
    }

    @Override
    public void sendPin(String simPath, String pin) throws ModemError {
        invoke(simPath, SIM, "SendPin", CALL_TIMEOUT_MS, "s", pin);
    }

    @Override
    public void enable(String modemPath) throws ModemError {
        invoke(modemPath, ModemView.MODEM, "Enable", CALL_TIMEOUT_MS, "b", true);
    }

    @Override
    public CompletableFuture<String> connect(String modemPath, Map<String, Object> properties) {
        Map<String, Variant<?>> args = new LinkedHashMap<>();
        properties.forEach((k, v) -> args.put(k, v instanceof Long u ? new Variant<>(new UInt32(u)) : new Variant<>(v)));
        CompletableFuture<String> done = new CompletableFuture<>();
        connects.execute(() -> {
            try {
                done.complete(String.valueOf(plain(invoke(modemPath, SIMPLE, "Connect", CONNECT_TIMEOUT_MS, "a{sv}",
                        args)[0])));
            } catch (ModemError | RuntimeException e) {
                done.completeExceptionally(e);
            }
            changed.run(); // the driver looks at the result now, not at its next poll
        });
        return done;
    }

    @Override
    public void disconnect(String modemPath, String bearerPath) throws ModemError {
        invoke(modemPath, SIMPLE, "Disconnect", CALL_TIMEOUT_MS, "o", new DBusPath(bearerPath));
    }

    @Override
    public void reset(String modemPath) throws ModemError {
        invoke(modemPath, ModemView.MODEM, "Reset", CALL_TIMEOUT_MS, null);
    }

    /**
     * One method call, answered or failed with ModemManager's own error name (dbus-java's proxies turn unknown
     * error names into a bare DBusExecutionException: the name, which says "wrong PIN" or "APN rejected", is lost).
     */
    private Object[] invoke(String path, String iface, String member, long timeoutMs, String signature,
            Object... args) throws ModemError {
        try {
            MethodCall call = bus.getMessageFactory().createMethodCall(SERVICE, path, iface, member, (byte) 0,
                    signature, args);
            bus.sendMessage(call);
            Message reply = call.getReply(timeoutMs);
            if (reply == null) {
                throw new ModemError("org.freedesktop.DBus.Error.NoReply", member + ": no reply within "
                        + timeoutMs + " ms");
            }
            if (reply instanceof org.freedesktop.dbus.messages.Error error) {
                Object[] detail = error.getParameters();
                throw new ModemError(error.getName(), detail != null && detail.length > 0 ? String.valueOf(detail[0])
                        : error.getName());
            }
            Object[] values = reply.getParameters();
            return values == null ? new Object[] {null} : values;
        } catch (DBusException e) {
            throw new ModemError("org.freedesktop.DBus.Error.Failed", member + ": " + e.getMessage());
        }
    }

    private static Map<String, Object> plainProperties(Map<String, Variant<?>> props) {
        Map<String, Object> out = new LinkedHashMap<>();
        props.forEach((k, v) -> out.put(k, plain(v)));
        return out;
    }

    /** D-Bus values as plain Java: numbers stay numbers, paths become strings, structs and arrays lists. */
    static Object plain(Object value) {
        if (value instanceof Variant<?> v) {
            return plain(v.getValue());
        }
        if (value instanceof DBusPath p) {
            return p.getPath();
        }
        if (value instanceof Container c) {
            return plainList(c.getParameters());
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(plain(k)), plain(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(DbusModemManager::plain).toList();
        }
        if (value != null && value.getClass().isArray() && !(value instanceof byte[])) {
            Object[] items = new Object[Array.getLength(value)];
            for (int i = 0; i < items.length; i++) {
                items[i] = Array.get(value, i);
            }
            return plainList(items);
        }
        return value;
    }

    private static List<Object> plainList(Object[] items) {
        List<Object> out = new ArrayList<>();
        for (Object o : items) {
            out.add(plain(o));
        }
        return out;
    }

    @Override
    public void close() {
        connects.shutdownNow();
        for (AutoCloseable h : handlers) {
            try {
                h.close();
            } catch (Exception e) {
                // the bus is going anyway
            }
        }
        try {
            bus.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
