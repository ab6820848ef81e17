package io.isthmus.mgmt.transport;

import io.isthmus.api.config.ManagementConfig.Proxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Optional;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A TLS socket through an HTTP proxy: {@link #connect} opens the tunnel on a plain socket and layers TLS (for the
 * broker's name) over it; from then on every call goes to that TLS socket. Paho casts its socket to
 * {@link SSLSocket} and configures it only after connect, so calls before connect are an error.
 */
final class TlsTunnel extends SSLSocket {
    private final SSLSocketFactory tls;
    private final Proxy proxy;
    private volatile Optional<SSLSocket> live = Optional.empty();
    private volatile boolean closed;

    TlsTunnel(SSLSocketFactory tls, Proxy proxy) {
        this.tls = tls;
        this.proxy = proxy;
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        Socket raw = new Socket();
        raw.setTcpNoDelay(true);
        String host = ProxiedSockets.hostOf(endpoint);
        int port = ((InetSocketAddress) endpoint).getPort();
        HttpTunnel.open(raw, proxy, host, port, timeout);
        live = Optional.of((SSLSocket) tls.createSocket(raw, host, port, true));
    }

    private SSLSocket s() {
        return live.orElseThrow(() -> new IllegalStateException("TLS through the proxy: not connected yet"));
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return s().getInputStream();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return s().getOutputStream();
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        if (live.isPresent()) {
            live.get().close();
        }
    }

    @Override
    public boolean isConnected() {
        return live.map(Socket::isConnected).orElse(false);
    }

    @Override
    public boolean isClosed() {
        return closed || live.map(Socket::isClosed).orElse(false);
    }

    @Override
    public boolean isBound() {
        return live.map(Socket::isBound).orElse(false);
    }

    @Override
    public boolean isInputShutdown() {
        return live.map(Socket::isInputShutdown).orElse(false);
    }

    @Override
    public boolean isOutputShutdown() {
        return live.map(Socket::isOutputShutdown).orElse(false);
    }

    @Override
    public void shutdownInput() throws IOException {
        s().shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        s().shutdownOutput();
    }

    @Override
    public InetAddress getInetAddress() {
        return live.map(Socket::getInetAddress).orElse(null);
    }

    @Override
    public InetAddress getLocalAddress() {
        return live.map(Socket::getLocalAddress).orElse(null);
    }

    @Override
    public int getPort() {
        return live.map(Socket::getPort).orElse(0);
    }

    @Override
    public int getLocalPort() {
        return live.map(Socket::getLocalPort).orElse(-1);
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return live.map(Socket::getRemoteSocketAddress).orElse(null);
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return live.map(Socket::getLocalSocketAddress).orElse(null);
    }

    @Override
    public synchronized void setSoTimeout(int timeout) throws SocketException {
        s().setSoTimeout(timeout);
    }

    @Override
    public synchronized int getSoTimeout() throws SocketException {
        return s().getSoTimeout();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        // the tunnel's socket has it on from the start
        if (live.isPresent()) {
            live.get().setTcpNoDelay(on);
        }
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return live.isEmpty() || live.get().getTcpNoDelay();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        s().setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return s().getKeepAlive();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        s().setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return s().getSoLinger();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return tls.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return live.map(SSLSocket::getEnabledCipherSuites).orElseGet(tls::getDefaultCipherSuites);
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        s().setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return s().getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return s().getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        s().setEnabledProtocols(protocols);
    }

    @Override
    public SSLSession getSession() {
        return s().getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return s().getHandshakeSession();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return s().getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        s().setSSLParameters(params);
    }

    @Override
    public String getApplicationProtocol() {
        return s().getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return s().getHandshakeApplicationProtocol();
    }

    @Override
    public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
        s().addHandshakeCompletedListener(listener);
    }

    @Override
    public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
        s().removeHandshakeCompletedListener(listener);
    }

    @Override
    public void startHandshake() throws IOException {
        s().startHandshake();
    }

    @Override
    public void setUseClientMode(boolean mode) {
        s().setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return live.map(SSLSocket::getUseClientMode).orElse(true);
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        s().setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return s().getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        s().setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return s().getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        s().setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return s().getEnableSessionCreation();
    }

    @Override
    public String toString() {
        return "TLS through proxy " + proxy.host() + ":" + proxy.port() + live.map(l -> ": " + l).orElse("");
    }
}
