package io.isthmus.mgmt.credentials;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One complete set of credentials on disk: the client certificate (chain) and its key, and optionally the CA
 * bundle that verifies the broker. A set is written whole before anything uses it and never changed after.
 *
 * @param id   its directory's name
 * @param dir  where its files are
 * @param ca   whether it brings its own CA bundle
 */
public record CredentialSet(String id, Path dir, boolean ca) {
    public Path certFile() {
        return dir.resolve("cert.pem");
    }

    public Path keyFile() {
        return dir.resolve("key.pem");
    }

    public Optional<Path> caFile() {
        return ca ? Optional.of(dir.resolve("ca.pem")) : Optional.empty();
    }
}
