package io.isthmus.launcher;

import io.isthmus.api.json.JsonValue;
import io.isthmus.api.json.JsonValueException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code isthmus provision}: turns the provisioning set an installer wrote before first boot (default
 * {@code /etc/isthmus/provision/}) into an installed gateway identity. Everything is checked first (one error naming
 * the file and, in JSON, the pointer); only then anything is written: the broker CA and client certificate and key
 * under {@code /etc/isthmus/tls/} (the key 0600, owned by the service user), the bundle-signing certificates in
 * {@code <state>/deploy/trusted/}, and the first network document (the given one or the profile's default, with its
 * {@code management} section set from {@code provision.json}) as {@code <state>/provision/network.json}, which the
 * next {@code isthmus run} without {@code --config} applies once. Finally the set is renamed to
 * {@code provision.applied} (mode 0700), so it runs once.
 */
final class Provisioning {
    static final String USAGE = "usage: isthmus provision [--from DIR] [--etc DIR] [--state DIR] [--user NAME] "
            + "[--group NAME]";
    static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final Set<String> SCHEMES = Set.of("tcp", "ssl", "ws", "wss", "mqtt", "mqtts");
    private static final Set<String> KEYS = Set.of("deviceId", "brokers", "username");
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    /** Where things come from and go to; the defaults are an installed system's. */
    record Options(Path from, Path etc, Path state, String user, String group) {
        static Options parse(String[] args) throws LaunchException {
            Path from = Path.of("/etc/isthmus/provision");
            Path etc = Path.of("/etc/isthmus");
            Path state = Path.of("/var/lib/isthmus");
            String user = "isthmus";
            String group = null;
            for (int i = 1; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : "";
                if (value.isEmpty()) {
                    throw new LaunchException(args[i] + " needs a value; " + USAGE);
                }
                switch (args[i]) {
                    case "--from" -> from = Path.of(value);
                    case "--etc" -> etc = Path.of(value);
                    case "--state" -> state = Path.of(value);
                    case "--user" -> user = value;
                    case "--group" -> group = value;
                    default -> throw new LaunchException("unknown option " + args[i] + "; " + USAGE);
                }
                i++;
            }
            return new Options(from, etc, state, user, group == null ? user : group);
        }
    }

    /** The checked set, ready to install. */
    record Checked(String deviceId, List<String> brokers, Optional<String> username, Optional<byte[]> ca,
            Optional<byte[]> clientCert, Optional<byte[]> clientKey, Map<String, byte[]> trusted,
            Map<String, Object> document) {
    }

    private final Options options;
    private final Path defaultDocument;

    Provisioning(Options options, Path defaultDocument) {
        this.options = options;
        this.defaultDocument = defaultDocument;
    }

    Path tls() {
        return options.etc().resolve("tls");
    }

    /** The document the next run applies once. */
    static Path pendingDocument(Path state) {
        return state.resolve("provision").resolve("network.json");
    }

    /** Checks the whole set; nothing is written. */
    Checked check() throws LaunchException {
        Path dir = options.from();
        if (!Files.isDirectory(dir)) {
            throw new LaunchException(dir + ": no provisioning set (a directory with provision.json)");
        }
        Path file = dir.resolve("provision.json");
        Map<String, Object> p = JsonFiles.readObject(file);
        for (String key : p.keySet()) {
            if (!KEYS.contains(key)) {
                throw new LaunchException(file + ": /" + key + ": unknown key (known: deviceId, brokers, username)");
            }
        }
        Object id = p.get("deviceId");
        if (!(id instanceof String s) || !DEVICE_ID.matcher(s).matches()) {
            throw new LaunchException(file + ": /deviceId: required, 1-64 characters of A-Z a-z 0-9 _ -");
        }
        Object b = p.get("brokers");
        if (!(b instanceof List<?> list) || list.isEmpty()) {
            throw new LaunchException(file + ": /brokers: required, a non-empty array of broker URLs");
        }
        List<String> brokers = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            brokers.add(brokerUrl(list.get(i), file + ": /brokers/" + i));
        }
        Optional<String> username;
        try {
            username = JsonValue.root(p).optional("username").map(JsonValue::string);
        } catch (JsonValueException e) {
            throw JsonFiles.error(file, e);
        }

        Optional<byte[]> ca = optional(dir.resolve("ca.pem"));
        if (ca.isPresent()) {
            certificates(ca.get(), dir.resolve("ca.pem"));
        }
        Optional<byte[]> cert = optional(dir.resolve("client.pem"));
        Optional<byte[]> key = optional(dir.resolve("client.key"));
        if (cert.isPresent() != key.isPresent()) {
            Path missing = cert.isPresent() ? dir.resolve("client.key") : dir.resolve("client.pem");
            throw new LaunchException(missing + ": missing: client.pem and client.key come together");
        }
        if (cert.isPresent()) {
            X509Certificate c = certificates(cert.get(), dir.resolve("client.pem")).get(0);
            PrivateKey k = privateKey(key.get(), dir.resolve("client.key"));
            if (!matches(k, c)) {
                throw new LaunchException(dir.resolve("client.key") + ": does not belong to the certificate in "
                        + dir.resolve("client.pem") + " (" + c.getSubjectX500Principal() + ")");
            }
        }
        Map<String, byte[]> trusted = new LinkedHashMap<>();
        Path trustedDir = dir.resolve("trusted");
        if (Files.isDirectory(trustedDir)) {
            try (DirectoryStream<Path> pems = Files.newDirectoryStream(trustedDir, "*.pem")) {
                for (Path pem : pems) {
                    byte[] bytes = read(pem);
                    certificates(bytes, pem);
                    trusted.put(pem.getFileName().toString(), bytes);
                }
            } catch (IOException e) {
                throw new LaunchException(trustedDir + ": cannot read: " + e.getMessage());
            }
        }
        Path given = dir.resolve("network.json");
        Map<String, Object> document = JsonFiles.readObject(Files.exists(given) ? given : defaultDocument);
        Object management = document.getOrDefault("management", Map.of());
        if (!(management instanceof Map<?, ?>)) {
            throw new LaunchException(given + ": /management: must be an object");
        }
        return new Checked((String) id, brokers, username, ca, cert, key, trusted, document);
    }

    /** Installs a checked set, then renames the set to provision.applied. Returns what it did, one line. */
    String install(Checked c) throws LaunchException {
        try {
            UserPrincipalLookupService users = options.from().getFileSystem().getUserPrincipalLookupService();
            UserPrincipal user = users.lookupPrincipalByName(options.user());
            GroupPrincipal group = users.lookupPrincipalByGroupName(options.group());
            UserPrincipal root = users.lookupPrincipalByName("root");

            Map<String, Object> tlsSection = new LinkedHashMap<>();
            if (c.ca().isPresent() || c.clientCert().isPresent()) {
                dir(tls(), root, group, "rwxr-x---");
            }
            if (c.ca().isPresent()) {
                file(tls().resolve("ca.pem"), c.ca().get(), root, group, "rw-r-----");
                tlsSection.put("caFile", tls().resolve("ca.pem").toString());
            }
            if (c.clientCert().isPresent()) {
                file(tls().resolve("client.pem"), c.clientCert().get(), root, group, "rw-r-----");
                file(tls().resolve("client.key"), c.clientKey().get(), user, group, "rw-------");
                tlsSection.put("certFile", tls().resolve("client.pem").toString());
                tlsSection.put("keyFile", tls().resolve("client.key").toString());
            }
            Path deploy = options.state().resolve("deploy");
            Path trusted = deploy.resolve("trusted");
            if (!c.trusted().isEmpty()) {
                dir(options.state(), user, group, "rwxr-x---");
                dir(deploy, user, group, "rwxr-x---");
                dir(trusted, user, group, "rwxr-x---");
                for (Map.Entry<String, byte[]> e : c.trusted().entrySet()) {
                    file(trusted.resolve(e.getKey()), e.getValue(), user, group, "rw-r-----");
                }
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> management = new LinkedHashMap<>(
                    (Map<String, Object>) c.document().getOrDefault("management", Map.of()));
            management.put("brokers", c.brokers());
            management.put("deviceId", c.deviceId());
            c.username().ifPresent(u -> management.put("username", u));
            if (!tlsSection.isEmpty()) {
                management.put("tls", tlsSection);
            }
            Map<String, Object> document = new LinkedHashMap<>(c.document());
            document.put("management", management);
            Path pending = pendingDocument(options.state());
            dir(options.state(), user, group, "rwxr-x---");
            dir(pending.getParent(), user, group, "rwxr-x---");
            file(pending, JsonFiles.write(document).getBytes(StandardCharsets.UTF_8), user, group, "rw-r-----");

            Path applied = options.from().resolveSibling(options.from().getFileName() + ".applied");
            if (Files.exists(applied)) {
                deleteTree(applied);
            }
            Files.move(options.from(), applied, StandardCopyOption.ATOMIC_MOVE);
            Files.setPosixFilePermissions(applied, PosixFilePermissions.fromString("rwx------"));
            return "provisioned " + c.deviceId() + " for " + String.join(", ", c.brokers()) + ": "
                    + (c.clientCert().isPresent() ? "client certificate, " : "")
                    + c.trusted().size() + " trusted signing certificates, first document " + pending;
        } catch (IOException | UnsupportedOperationException e) {
            throw new LaunchException("cannot install: " + e.getMessage(), e);
        }
    }

    private static String brokerUrl(Object value, String where) throws LaunchException {
        if (!(value instanceof String s)) {
            throw new LaunchException(where + ": must be a string such as ssl://broker.example.com:8883");
        }
        try {
            URI uri = new URI(s);
            if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme()) || uri.getHost() == null) {
                throw new LaunchException(where + ": " + s + ": needs scheme://host[:port], scheme one of "
                        + "tcp ssl ws wss mqtt mqtts");
            }
            return s;
        } catch (URISyntaxException e) {
            throw new LaunchException(where + ": " + s + ": not a URL: " + e.getReason());
        }
    }

    private static Optional<byte[]> optional(Path file) throws LaunchException {
        return Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
    }

    private static byte[] read(Path file) throws LaunchException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new LaunchException(file + ": cannot read: " + e.getMessage());
        }
    }

    static List<X509Certificate> certificates(byte[] pem, Path file) throws LaunchException {
        try {
            List<X509Certificate> certs = new ArrayList<>();
            for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem))) {
                certs.add((X509Certificate) c);
            }
            if (certs.isEmpty()) {
                throw new LaunchException(file + ": no PEM certificate in it");
            }
            return certs;
        } catch (CertificateException e) {
            throw new LaunchException(file + ": not a PEM certificate: " + e.getMessage());
        }
    }

    /** PKCS#8 ({@code BEGIN PRIVATE KEY}), as the management agent reads it; EC, RSA or Ed25519. */
    static PrivateKey privateKey(byte[] pem, Path file) throws LaunchException {
        var m = PEM_KEY.matcher(new String(pem, StandardCharsets.US_ASCII));
        if (!m.find()) {
            throw new LaunchException(file + ": not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----; convert "
                    + "with openssl pkcs8 -topk8 -nocrypt)");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException wrongAlgorithm) {
                // try the next
            }
        }
        throw new LaunchException(file + ": not an EC, RSA or Ed25519 private key");
    }

    /** The key signs, the certificate's public key verifies. */
    static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] data = new byte[32];
            new SecureRandom().nextBytes(data);
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(data);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(algorithm);
            v.initVerify(cert.getPublicKey());
            v.update(data);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void dir(Path dir, UserPrincipal owner, GroupPrincipal group, String mode) throws IOException {
        Files.createDirectories(dir);
        own(dir, owner, group, mode);
    }

    /** Written to a sibling with its final owner and mode first, then renamed: never readable by others. */
    private static void file(Path file, byte[] bytes, UserPrincipal owner, GroupPrincipal group, String mode)
            throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, bytes);
        own(tmp, owner, group, mode);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void own(Path path, UserPrincipal owner, GroupPrincipal group, String mode) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(owner);
        view.setGroup(group);
        view.setPermissions(PosixFilePermissions.fromString(mode));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
