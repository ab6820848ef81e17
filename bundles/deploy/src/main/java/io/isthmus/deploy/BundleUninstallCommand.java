package io.isthmus.deploy;

import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.api.runtime.ProtectedBundles;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code bundle.uninstall} (docs/deploy.md): never of a bundle the gateway cannot lose ({@link ProtectedBundles}). */
@Component(property = CommandHandler.COMMAND + "=bundle.uninstall")
public class BundleUninstallCommand implements CommandHandler {
    private final Deployer deployer;
    private final ProtectedBundles protection;

    @Activate
    public BundleUninstallCommand(@Reference Deployer deployer, @Reference ProtectedBundles protection) {
        this.deployer = deployer;
        this.protection = protection;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        return deployer.uninstall(request, protection);
    }
}
