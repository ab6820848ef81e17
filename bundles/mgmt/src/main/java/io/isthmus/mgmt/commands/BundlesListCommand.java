package io.isthmus.mgmt.commands;

import io.isthmus.api.deploy.DeployedBundles;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.mgmt.dispatch.Replies;
import io.isthmus.state.BundleLocation;
import io.isthmus.state.StoreEntry;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code bundles.list}: every bundle with id, symbolic name, version, state and origin; with the deploy bundle
 * running also the previous version a rollback returns to and the SHA-256 of the running jar.
 */
@Component(property = CommandHandler.COMMAND + "=bundles.list")
public class BundlesListCommand implements CommandHandler {
    private final BundleContext context;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DeployedBundles deployed;

    @Activate
    public BundlesListCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        DeployedBundles store = deployed;
        return Replies.ok(Map.of("bundles", Arrays.stream(context.getBundles())
                .map(b -> describe(b, store == null ? Optional.empty() : store.describe(b.getLocation()))).toList()));
    }

    private static Map<String, Object> describe(Bundle b, Optional<DeployedBundles.Deployed> known) {
        Map<String, Object> m = BundleView.describe(b);
        m.put("origin", known.map(DeployedBundles.Deployed::origin)
                .orElse(BundleLocation.isField(b.getLocation()) ? StoreEntry.FIELD : StoreEntry.DISTRIBUTION));
        known.flatMap(DeployedBundles.Deployed::previousVersion).ifPresent(v -> m.put("previousVersion", v));
        known.flatMap(DeployedBundles.Deployed::sha256).ifPresent(s -> m.put("sha256", s));
        return m;
    }
}
