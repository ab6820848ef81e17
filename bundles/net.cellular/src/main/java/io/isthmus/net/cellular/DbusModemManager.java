package io.isthmus.net.cellular;

import java.io.IOException;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.freedesktop.dbus.Container;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.CallbackHandler;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.interfaces.ObjectManager;
import org.freedesktop.dbus.interfaces.Properties;
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

    @DBusInterfaceName("org.freedesktop.ModemManager1.Modem")
    public interface Modem extends DBusInterface {
        void Enable(boolean enable);

        void Reset();
    }

    @DBusInterfaceName("org.freedesktop.ModemManager1.Modem.Simple")
    public interface Simple extends DBusInterface {
        DBusPath Connect(Map<String, Variant<?>> properties);

        void Disconnect(DBusPath bearer);
    }

    @DBusInterfaceName("org.freedesktop.ModemManager1.Sim")
    public interface Sim extends DBusInterface {
        void SendPin(String pin);
    }

    private final DBusConnection bus;
    private final List<AutoCloseable> handlers = new ArrayList<>();

    private DbusModemManager(DBusConnection bus) {
        this.bus = bus;
    }

    /**
     * Connects to the bus. dbus-java finds its transport with a ServiceLoader: inside OSGi that must look in this
     * bundle (which embeds the transport), not in the thread's context class loader.
     */
    static DbusModemManager connect(String address, Runnable changed) throws DBusException {
        ClassLoader bundle = DbusModemManager.class.getClassLoader();
        DBusConnectionBuilder builder = SYSTEM.equals(address) ? DBusConnectionBuilder.forSystemBus()
                : DBusConnectionBuilder.forAddress(address);
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(bundle);
        try {
            DBusConnection connection = builder.withShared(false).transportConfig()
                    .withServiceLoaderClassLoader(bundle).back().build();
            DbusModemManager mm = new DbusModemManager(connection);
            mm.handlers.add(connection.addSigHandler(Properties.PropertiesChanged.class, s -> changed.run()));
            mm.handlers.add(connection.addSigHandler(ObjectManager.InterfacesAdded.class, s -> changed.run()));
            mm.handlers.add(connection.addSigHandler(ObjectManager.InterfacesRemoved.class, s -> changed.run()));
            return mm;
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    boolean isConnected() {
        return bus.isConnected();
    }

    @Override
    public List<ModemView> modems() throws ModemError {
        Map<DBusPath, Map<String, Map<String, Variant<?>>>> objects = call(() -> remote(ROOT, ObjectManager.class)
                .GetManagedObjects());
        List<ModemView> modems = new ArrayList<>();
        objects.forEach((path, interfaces) -> {
            Map<String, Map<String, Object>> plain = new LinkedHashMap<>();
            interfaces.forEach((name, props) -> plain.put(name, plainProperties(props)));
            ModemView.of(path.getPath(), plain).ifPresent(modems::add);
        });
        modems.sort(java.util.Comparator.comparing(ModemView::path));
        return modems;
    }

    @Override
    public Optional<BearerView> bearer(String path) throws ModemError {
        try {
            return Optional.of(BearerView.of(path, properties(path, BearerView.BEARER)));
        } catch (ModemError e) {
            if (ModemError.shortName(e.name()).equals("UnknownObject") || ModemError.shortName(e.name())
                    .equals("UnknownMethod") || ModemError.shortName(e.name()).equals("UnknownInterface")) {
                return Optional.empty(); // gone meanwhile
            }
            throw e;
        }
    }

    @Override
    public Optional<String> iccid(String simPath) throws ModemError {
        return ModemView.text(properties(simPath, "org.freedesktop.ModemManager1.Sim").get("SimIdentifier"));
    }

    private Map<String, Object> properties(String path, String iface) throws ModemError {
        return plainProperties(call(() -> remote(path, Properties.class).GetAll(iface)));
    }

    @Override
    public void sendPin(String simPath, String pin) throws ModemError {
        call(() -> {
            remote(simPath, Sim.class).SendPin(pin);
            return null;
        });
    }

    @Override
    public void enable(String modemPath) throws ModemError {
        call(() -> {
            remote(modemPath, Modem.class).Enable(true);
            return null;
        });
    }

    @Override
    public CompletableFuture<String> connect(String modemPath, Map<String, Object> properties) {
        CompletableFuture<String> done = new CompletableFuture<>();
        Map<String, Variant<?>> args = new LinkedHashMap<>();
        properties.forEach((k, v) -> args.put(k, v instanceof Long u ? new Variant<>(new UInt32(u)) : new Variant<>(v)));
        try {
            bus.callWithCallback(remote(modemPath, Simple.class), "Connect", new CallbackHandler<DBusPath>() {
                @Override
                public void handle(DBusPath bearer) {
                    done.complete(bearer.getPath());
                }

                @Override
                public void handleError(DBusExecutionException e) {
                    done.completeExceptionally(error(e));
                }
            }, args);
        } catch (DBusException | DBusExecutionException e) {
            done.completeExceptionally(e instanceof DBusExecutionException x ? error(x)
                    : new ModemError("org.freedesktop.DBus.Error.Failed", e.getMessage()));
        }
        return done;
    }

    @Override
    public void disconnect(String modemPath, String bearerPath) throws ModemError {
        call(() -> {
            remote(modemPath, Simple.class).Disconnect(new DBusPath(bearerPath));
            return null;
        });
    }

    @Override
    public void reset(String modemPath) throws ModemError {
        call(() -> {
            remote(modemPath, Modem.class).Reset();
            return null;
        });
    }

    private <I extends DBusInterface> I remote(String path, Class<I> type) throws DBusException {
        return bus.getRemoteObject(SERVICE, path, type);
    }

    private interface BusCall<T> {
        T run() throws DBusException;
    }

    private static <T> T call(BusCall<T> call) throws ModemError {
        try {
            return call.run();
        } catch (DBusExecutionException e) {
            throw error(e);
        } catch (DBusException e) {
            throw new ModemError("org.freedesktop.DBus.Error.Failed", String.valueOf(e.getMessage()));
        }
    }

    private static ModemError error(DBusExecutionException e) {
        return new ModemError(Optional.ofNullable(e.getType()).orElse("org.freedesktop.DBus.Error.Failed"),
                String.valueOf(e.getMessage()));
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
