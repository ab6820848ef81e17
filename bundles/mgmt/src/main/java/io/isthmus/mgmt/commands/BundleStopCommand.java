package io.isthmus.mgmt.commands;

import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.runtime.ProtectedBundles;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code bundle.stop {"bundle": id or name}}: the rest keeps running; kernel state stays for its next start.
 * Refused for the bundles the gateway cannot lose ({@link ProtectedBundles}); without that service there is no
 * {@code bundle.stop} at all rather than an unguarded one.
 */
@Component(service = CommandHandler.class, property = CommandHandler.COMMAND + "=bundle.stop")
public class BundleStopCommand extends BundleStateCommand {
    private final ProtectedBundles protection;

    @Activate
    public BundleStopCommand(BundleContext context, @Reference ProtectedBundles protection) {
        super(context);
        this.protection = protection;
    }

    @Override
    void change(Bundle bundle) throws BundleException {
        bundle.stop();
    }

    @Override
    Optional<String> refusal(BundleContext context, Bundle bundle) {
        return BundleView.untouchable(context, bundle).or(() -> protection.whyProtected(bundle.getBundleId())
                .map(why -> why + ": it cannot be stopped remotely"));
    }
}
