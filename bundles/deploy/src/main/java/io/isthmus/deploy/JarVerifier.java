package io.isthmus.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/**
 * Everything a received jar must pass before anything changes: hash, signature (the configured trust store), that it
 * is the bundle the job names, that it resolves, and what a refresh would restart.
 */
final class JarVerifier {
    private final BundleContext context;
    private final Deployer.Config config;
    private final Store store;
    private final InstalledBundles bundles;
    private final BundleChange change;

    JarVerifier(BundleContext context, Deployer.Config config, Store store, InstalledBundles bundles,
            BundleChange change) {
        this.context = context;
        this.config = config;
        this.store = store;
        this.bundles = bundles;
        this.change = change;
    }

    Candidate verify(Job job, Path jar) throws Refused, IOException {
        JarCheck.Policy policy;
        try {
            policy = new JarCheck.Policy(requireSigned(), trust(config.trustStore(), "trusted").orElseGet(
                    () -> new TrustStore(Set.of())));
        } catch (java.security.GeneralSecurityException e) {
            throw new Refused("signature: the trust store cannot be read: " + e.getMessage());
        }
        Candidate c = JarCheck.inspect(jar, job.size, job.sha256, policy);
        if (job.kind == Job.Kind.update && !c.symbolicName().equals(job.bundle)) {
            throw new Refused("Bundle-SymbolicName " + c.symbolicName() + " does not match the bundle to update, "
                    + job.bundle);
        }
        if (job.kind == Job.Kind.install && !job.bundle.startsWith("sha256:") && !c.symbolicName().equals(job.bundle)) {
            throw new Refused("Bundle-SymbolicName " + c.symbolicName() + " does not match the request, " + job.bundle);
        }
        if (Deployer.SELF.equals(c.symbolicName()) || Constants.SYSTEM_BUNDLE_SYMBOLICNAME.equals(c.symbolicName())) {
            throw new Refused(c.symbolicName() + " changes only with a distribution upgrade");
        }
        Optional<Bundle> existing = bundles.installed(c.symbolicName());
        if (job.kind == Job.Kind.install && existing.isPresent()) {
            throw new Refused(c.symbolicName() + " is already installed: use bundle.update");
        }
        ResolveCheck.resolvable(context, c, existing);
        if (existing.isPresent()) {
            Set<Bundle> broken = ResolveCheck.brokenImporters(existing.get(), c);
            if (!broken.isEmpty() && !job.refresh) {
                throw new Refused("exports changed packages used by " + broken.stream().map(Bundle::getSymbolicName)
                        .distinct().collect(Collectors.joining(", ")) + ": needs refresh=true");
            }
            if (job.refresh && change.refreshClosure(existing.get()).stream()
                    .anyMatch(b -> Deployer.SELF.equals(b.getSymbolicName()))) {
                throw new Refused("a refresh of " + c.symbolicName() + " would restart " + Deployer.SELF
                        + " itself: ship it with a distribution upgrade");
            }
        }
        return c;
    }

    private boolean requireSigned() {
        String override = context.getProperty("isthmus.deploy.requireSigned");
        return override == null ? config.requireSigned() : Boolean.parseBoolean(override);
    }

    /** The configured trust store, else the directory of that name in the store (absent: none). */
    Optional<TrustStore> trust(String configured, String fallback) throws IOException,
            java.security.GeneralSecurityException {
        Path where = configured.isBlank() ? store.root().resolve(fallback) : Path.of(configured);
        if (!Files.exists(where)) {
            return Optional.empty();
        }
        return Optional.of(TrustStore.load(where, config.trustStorePassword().toCharArray()));
    }
}
