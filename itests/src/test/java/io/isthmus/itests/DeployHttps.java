package io.isthmus.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
import javax.net.ssl.SSLServerSocket;

/**
 * A small HTTPS file server (GET with {@code Range: bytes=N-}) in the test JVM's namespace, for URL transfers. Its
 * own sockets, so that {@link #dropOnce} can really close a connection halfway through a file, as a broken link
 * does; the gateway must resume with a Range request.
 */
final class DeployHttps implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("(?i)range:\\s*bytes=(\\d+)-");
    private final SSLServerSocket server;
    private final Map<String, Path> files = new ConcurrentHashMap<>();
    private final Map<String, Long> dropAfter = new ConcurrentHashMap<>();
    final AtomicInteger rangeRequests = new AtomicInteger();
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
        server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(port, 16,
                InetAddress.getByName(address));
        base = "https://" + address + ":" + port + "/";
        Thread t = new Thread(this::accept, "deploy-https");
        t.setDaemon(true);
        t.start();
    }

    String put(String name, Path file) {
        files.put(name, file);
        return base + name;
    }

    void dropOnce(String name, long afterBytes) {
        dropAfter.put(name, afterBytes);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "deploy-https-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** One request per connection (Connection: close): enough for a downloader. */
    private void serve(Socket s) {
        try (s; OutputStream out = s.getOutputStream()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            String request = in.readLine();
            if (request == null) {
                return;
            }
            long from = 0;
            for (String h; (h = in.readLine()) != null && !h.isEmpty();) {
                Matcher m = RANGE.matcher(h);
                if (m.find()) {
                    from = Long.parseLong(m.group(1));
                    rangeRequests.incrementAndGet();
                }
            }
            String name = request.split(" ")[1].substring(1);
            Path file = files.get(name);
            if (file == null) {
                out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(
                        StandardCharsets.ISO_8859_1));
                return;
            }
            byte[] bytes = Files.readAllBytes(file);
            if (from >= bytes.length) {
                out.write(("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + bytes.length
                        + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            long length = bytes.length - from;
            String head = (from > 0 ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + from + "-"
                    + (bytes.length - 1) + "/" + bytes.length + "\r\n" : "HTTP/1.1 200 OK\r\n")
                    + "Content-Type: application/java-archive\r\nContent-Length: " + length
                    + "\r\nConnection: close\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            Long drop = dropAfter.remove(name);
            out.write(bytes, (int) from, (int) (drop == null ? length : Math.min(drop, length)));
            out.flush();
            // with a drop, the socket closes here: fewer bytes than Content-Length, like a broken link
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
