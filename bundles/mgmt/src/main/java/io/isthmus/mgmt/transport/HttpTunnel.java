package io.isthmus.mgmt.transport;

import io.isthmus.api.config.ManagementConfig.Proxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * An HTTP CONNECT tunnel (RFC 9110 9.3.6) through a proxy: the socket connects to the proxy, asks it for
 * {@code host:port}, and is the tunnel once the proxy answers 2xx. Anything else becomes a {@link Refused} that
 * names the proxy and quotes its answer, so an operator sees "407" and not a TLS or MQTT error.
 */
public final class HttpTunnel {
    /** Larger heads are no proxy's answer to CONNECT. */
    private static final int MAX_HEAD = 16 * 1024;

    /** The proxy's own failure: refused connection, no answer, or an answer other than 2xx. */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private HttpTunnel() {
    }

    /** Connects the unconnected {@code raw} to {@code proxy} and through it to {@code host:port}. */
    public static void open(Socket raw, Proxy proxy, String host, int port, int timeoutMs) throws IOException {
        String at = "proxy " + proxy.host() + ":" + proxy.port();
        String target = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        Optional<String> credentials = credentials(proxy);
        try {
            raw.connect(new InetSocketAddress(proxy.host(), proxy.port()), timeoutMs);
        } catch (ConnectException e) {
            throw new Refused(at + " refused the connection (" + e.getMessage() + ")", e);
        } catch (SocketTimeoutException e) {
            throw new Refused(at + " did not accept a connection within " + timeoutMs + " ms", e);
        } catch (UnknownHostException e) {
            throw new Refused(at + ": unknown host", e);
        }
        int soTimeout = raw.getSoTimeout();
        raw.setSoTimeout(timeoutMs > 0 ? timeoutMs : 30_000);
        try {
            OutputStream out = raw.getOutputStream();
            StringBuilder request = new StringBuilder().append("CONNECT ").append(target).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(target).append("\r\n");
            credentials.ifPresent(c -> request.append("Proxy-Authorization: Basic ").append(Base64.getEncoder()
                    .encodeToString(c.getBytes(StandardCharsets.UTF_8))).append("\r\n"));
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String status = statusLine(raw.getInputStream(), at);
            String[] parts = status.split(" ", 3);
            int code = parts.length >= 2 && parts[0].startsWith("HTTP/") && parts[1].matches("[0-9]{3}")
                    ? Integer.parseInt(parts[1]) : -1;
            if (code < 200 || code > 299) {
                throw new Refused(at + " answered \"" + printable(status) + "\" to CONNECT " + target + hint(code,
                        credentials.isPresent()), null);
            }
            raw.setSoTimeout(soTimeout);
        } catch (SocketTimeoutException e) {
            close(raw);
            throw new Refused(at + " did not answer CONNECT " + target + " within " + timeoutMs + " ms", e);
        } catch (Refused e) {
            close(raw);
            throw e;
        } catch (IOException e) {
            close(raw);
            throw new Refused(at + " broke the connection during CONNECT " + target + " (" + e + ")", e);
        }
    }

    /** The status line; the rest of the head (headers up to the empty line) is read and dropped. */
    private static String statusLine(InputStream in, String at) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        // one byte at a time: whatever follows the head belongs to the tunnel
        while (head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                throw new Refused(at + " closed the connection without answering CONNECT"
                        + (head.size() > 0 ? " (got \"" + printable(head.toString(StandardCharsets.ISO_8859_1))
                                + "\")" : ""), null);
            }
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                String text = new String(h, StandardCharsets.ISO_8859_1);
                return text.substring(0, text.indexOf("\r\n"));
            }
        }
        throw new Refused(at + " sent no HTTP answer to CONNECT (more than " + MAX_HEAD + " bytes of head)", null);
    }

    private static String hint(int code, boolean sentCredentials) {
        return switch (code) {
            // 401: tinyproxy's answer to CONNECT without (good) credentials
            case 401, 407 -> sentCredentials
                    ? " (the proxy refused the user:password of management.proxy.credentialsFile)"
                    : " (the proxy wants credentials: management.proxy.credentialsFile)";
            case 403 -> " (the proxy does not allow this destination or port)";
            default -> "";
        };
    }

    /** {@code user:password}, the first line of the credentials file; never logged. */
    private static Optional<String> credentials(Proxy proxy) throws IOException {
        if (proxy.credentialsFile().isEmpty()) {
            return Optional.empty();
        }
        Path file = Path.of(proxy.credentialsFile().get());
        try {
            String line = Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("");
            if (!line.contains(":")) {
                throw new Refused("management.proxy.credentialsFile " + file + ": the first line is not user:password",
                        null);
            }
            return Optional.of(line);
        } catch (Refused e) {
            throw e;
        } catch (IOException e) {
            throw new Refused("management.proxy.credentialsFile " + file + " cannot be read (" + e.getClass()
                    .getSimpleName() + ")", e);
        }
    }

    private static String printable(String s) {
        return s.replaceAll("[\\x00-\\x1f\\x7f]", " ").strip();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already failing
        }
    }
}
