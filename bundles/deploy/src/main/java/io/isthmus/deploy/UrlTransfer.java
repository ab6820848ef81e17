package io.isthmus.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongConsumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Downloads a jar over HTTPS (or HTTP, for labs) into the job's incoming directory. A dropped connection resumes
 * where it stopped with a Range request (a server that answers 200 instead of 206 sends the whole file again).
 */
final class UrlTransfer {
    static final int ATTEMPTS = 8;

    private final HttpClient client;
    private final Duration timeout;

    UrlTransfer(Optional<TrustStore> trust, Duration timeout) throws GeneralSecurityException, IOException {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (trust.isPresent() && !trust.get().anchors().isEmpty()) {
            b.sslContext(context(trust.get()));
        }
        this.client = b.build();
        this.timeout = timeout;
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
            HttpRequest.Builder rb = HttpRequest.newBuilder(url).timeout(timeout).GET();
            if (have > 0) {
                rb.header("Range", "bytes=" + have + "-");
            }
            try {
                HttpResponse<InputStream> r = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
                boolean append = r.statusCode() == 206;
                if (r.statusCode() == 416) {
                    r.body().close();
                    throw new Refused("transfer incomplete: the server has only " + have + " of " + size + " bytes");
                }
                if (r.statusCode() != 200 && !append) {
                    r.body().close();
                    throw new Refused("download failed: HTTP " + r.statusCode() + " from " + url);
                }
                try (InputStream in = r.body(); OutputStream out = Files.newOutputStream(jar, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, append ? StandardOpenOption.APPEND
                                : StandardOpenOption.TRUNCATE_EXISTING)) {
                    long n = append ? have : 0;
                    byte[] buf = new byte[64 * 1024];
                    for (int k; (k = in.read(buf)) > 0 && n < size;) {
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
