package io.isthmus.itests;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An HTTPS file server in the test JVM's namespace with Range support, for URL transfers: serves the jars put into
 * it; {@link #dropOnce} makes the next download of a file break off after some bytes (the gateway must resume).
 */
final class DeployHttps implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");
    private final HttpsServer server;
    private final Map<String, Path> files = new ConcurrentHashMap<>();
    private final Map<String, Long> dropAfter = new ConcurrentHashMap<>();
    final AtomicInteger rangeRequests = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    private final String base;

    DeployHttps(String address, int port, Path keystore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, DeployBundles.PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, DeployBundles.PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(address, port), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/", this::serve);
        server.start();
        base = "https://" + address + ":" + port + "/";
    }

    String put(String name, Path file) {
        files.put(name, file);
        return base + name;
    }

    void dropOnce(String name, long afterBytes) {
        dropAfter.put(name, afterBytes);
    }

    private void serve(HttpExchange x) throws IOException {
        requests.incrementAndGet();
        Path file = files.get(x.getRequestURI().getPath().substring(1));
        if (file == null) {
            x.sendResponseHeaders(404, -1);
            x.close();
            return;
        }
        byte[] bytes = Files.readAllBytes(file);
        long from = 0;
        String range = x.getRequestHeaders().getFirst("Range");
        if (range != null) {
            Matcher m = RANGE.matcher(range);
            if (m.matches()) {
                from = Long.parseLong(m.group(1));
                rangeRequests.incrementAndGet();
            }
        }
        if (from >= bytes.length && bytes.length > 0) {
            x.getResponseHeaders().add("Content-Range", "bytes */" + bytes.length);
            x.sendResponseHeaders(416, -1);
            x.close();
            return;
        }
        long length = bytes.length - from;
        if (from > 0) {
            x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
        }
        x.sendResponseHeaders(from > 0 ? 206 : 200, length);
        Long drop = dropAfter.remove(x.getRequestURI().getPath().substring(1));
        try (OutputStream out = x.getResponseBody()) {
            if (drop != null) {
                out.write(bytes, (int) from, (int) Math.min(drop, length));
                out.flush();
                throw new IOException("dropping the connection on purpose");
            }
            out.write(bytes, (int) from, (int) length);
        } catch (IOException e) {
            // an intended drop: closing the exchange early breaks the transfer for the client
        } finally {
            x.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
