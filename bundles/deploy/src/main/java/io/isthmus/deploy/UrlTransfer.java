package io.isthmus.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import io.isthmus.api.config.ManagementConfig;
import java.net.Authenticator;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongConsumer;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Downloads a jar over HTTPS (or HTTP, for labs) into the job's incoming directory. A dropped or stalled connection
 * (no byte for the read timeout) resumes where it stopped with a Range request; a server that answers 200 instead
 * of 206 sends the whole file again.
 */
final class UrlTransfer {
    static final int ATTEMPTS = 8;

    private final Optional<SSLSocketFactory> sockets;
    private final Duration timeout;
    private final Optional<ManagementConfig.Proxy> proxy;

    UrlTransfer(Optional<TrustStore> trust, Duration timeout) throws GeneralSecurityException, IOException {
        this(trust, timeout, Optional.empty());
    }

    /** With {@code proxy}: every URL whose host it applies to is fetched through it (HTTPS with CONNECT). */
    UrlTransfer(Optional<TrustStore> trust, Duration timeout, Optional<ManagementConfig.Proxy> proxy)
            throws GeneralSecurityException, IOException {
        this.sockets = trust.isPresent() && !trust.get().anchors().isEmpty()
                ? Optional.of(context(trust.get()).getSocketFactory()) : Optional.empty();
        this.timeout = timeout;
        this.proxy = proxy;
    }

    /** Fetches {@code size} bytes; the file holds what arrived, progress is reported in bytes. */
    Path fetch(URI url, long size, Path dir, LongConsumer progress) throws IOException, InterruptedException, Refused {
        Path jar = dir.resolve("bundle.jar");
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long have = Files.exists(jar) ? Files.size(jar) : 0;
            if (have >= size) {
                return jar;
            }
            try {
                HttpURLConnection c = open(url);
                if (have > 0) {
                    c.setRequestProperty("Range", "bytes=" + have + "-");
                }
                int status = c.getResponseCode();
                if (status == 416) {
                    c.disconnect();
                    throw new Refused("transfer incomplete: the server has only " + have + " of " + size + " bytes");
                }
                boolean append = status == 206;
                if (status != 200 && !append) {
                    c.disconnect();
                    throw new Refused("download failed: HTTP " + status + " from " + url);
                }
                try (InputStream in = c.getInputStream(); OutputStream out = Files.newOutputStream(jar,
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE, append ? StandardOpenOption.APPEND
                                : StandardOpenOption.TRUNCATE_EXISTING)) {
                    long n = append ? have : 0;
                    byte[] buf = new byte[64 * 1024];
                    for (int k; n < size && (k = in.read(buf)) > 0;) {
                        int take = (int) Math.min(k, size - n);
                        out.write(buf, 0, take);
                        n += take;
                        progress.accept(n);
                    }
                }
                if (Files.size(jar) >= size) {
                    return jar;
                }
                last = new IOException("connection closed after " + Files.size(jar) + " of " + size + " bytes");
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(Math.min(2000, 100L << attempt)); // back off before resuming
        }
        throw new Refused("transfer incomplete: " + (last == null ? "no data" : last.getMessage()) + " after "
                + ATTEMPTS + " attempts");
    }

    private HttpURLConnection open(URI url) throws IOException {
        Optional<ManagementConfig.Proxy> via = proxy.filter(p -> url.getHost() != null && p.appliesTo(url.getHost()));
        HttpURLConnection c = (HttpURLConnection) (via.isPresent() ? url.toURL().openConnection(new Proxy(
                Proxy.Type.HTTP, InetSocketAddress.createUnresolved(via.get().host(), via.get().port())))
                : url.toURL().openConnection());
        if (via.isPresent() && via.get().credentialsFile().isPresent()) {
            c.setAuthenticator(credentials(Path.of(via.get().credentialsFile().get())));
        }
        if (c instanceof HttpsURLConnection s && sockets.isPresent()) {
            s.setSSLSocketFactory(sockets.get());
        }
        c.setConnectTimeout((int) timeout.toMillis());
        c.setReadTimeout((int) timeout.toMillis());
        c.setInstanceFollowRedirects(true);
        c.setUseCaches(false);
        return c;
    }

    /**
     * The proxy's user:password, read now. The JDK sends Basic credentials to a proxy for HTTPS (CONNECT) only
     * when {@code jdk.http.auth.tunneling.disabledSchemes} allows it (docs/configuration.md).
     */
    private static Authenticator credentials(Path file) throws IOException {
        String line = Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8).stream().findFirst()
                .orElse("");
        int colon = line.indexOf(':');
        if (colon < 0) {
            throw new IOException("management.proxy.credentialsFile " + file + ": the first line is not user:password");
        }
        PasswordAuthentication login = new PasswordAuthentication(line.substring(0, colon),
                line.substring(colon + 1).toCharArray());
        return new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return getRequestorType() == RequestorType.PROXY ? login : null;
            }
        };
    }

    private static SSLContext context(TrustStore trust) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (X509Certificate c : trust.anchors()) {
            ks.setCertificateEntry("anchor-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
