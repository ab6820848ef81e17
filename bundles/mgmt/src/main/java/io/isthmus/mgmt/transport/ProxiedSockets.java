package io.isthmus.mgmt.transport;

import io.isthmus.api.config.ManagementConfig.Proxy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Socket factories whose sockets connect through an HTTP proxy ({@link HttpTunnel}). Paho creates an unconnected
 * socket and connects it to the broker's address; these sockets connect to the proxy instead and ask it for that
 * address, by the name Paho gave (the proxy resolves it: a plant often has no DNS but the proxy's). For TLS the
 * handshake then runs inside the tunnel, so the broker's certificate and host name are checked exactly as direct.
 */
public final class ProxiedSockets {
    private ProxiedSockets() {
    }

    public static SocketFactory plain(Proxy proxy) {
        return new SocketFactory() {
            @Override
            public Socket createSocket() {
                return new PlainTunnel(proxy);
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return connected(createSocket(), InetSocketAddress.createUnresolved(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
                return createSocket(host, port);
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return connected(createSocket(), new InetSocketAddress(host, port));
            }

            @Override
            public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
                    throws IOException {
                return createSocket(host, port);
            }
        };
    }

    public static SSLSocketFactory tls(SSLSocketFactory tls, Proxy proxy) {
        return new SSLSocketFactory() {
            @Override
            public String[] getDefaultCipherSuites() {
                return tls.getDefaultCipherSuites();
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return tls.getSupportedCipherSuites();
            }

            @Override
            public Socket createSocket() {
                return new TlsTunnel(tls, proxy);
            }

            @Override
            public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
                // already connected (to whatever the caller chose): nothing left for the proxy to do
                return tls.createSocket(s, host, port, autoClose);
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return connected(createSocket(), InetSocketAddress.createUnresolved(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
                return createSocket(host, port);
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return connected(createSocket(), new InetSocketAddress(host, port));
            }

            @Override
            public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
                    throws IOException {
                return createSocket(host, port);
            }
        };
    }

    private static Socket connected(Socket s, SocketAddress to) throws IOException {
        s.connect(to, 0);
        return s;
    }

    /** The name the caller asked for (not a resolved address: the proxy resolves). */
    static String hostOf(SocketAddress endpoint) throws IOException {
        if (!(endpoint instanceof InetSocketAddress a)) {
            throw new IOException("not an internet address: " + endpoint);
        }
        return a.getHostString();
    }

    /** A plain socket through the tunnel: once connected it is the tunnel. */
    static final class PlainTunnel extends Socket {
        private final Proxy proxy;
        /** While the tunnel opens, connect means: to the proxy. */
        private boolean opening;

        PlainTunnel(Proxy proxy) {
            this.proxy = proxy;
        }

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            if (opening) {
                super.connect(endpoint, timeout);
                return;
            }
            setTcpNoDelay(true);
            opening = true;
            try {
                HttpTunnel.open(this, proxy, hostOf(endpoint), ((InetSocketAddress) endpoint).getPort(), timeout);
            } finally {
                opening = false;
            }
        }
    }
}
