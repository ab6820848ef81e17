package io.isthmus.deploy;

import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code bundle.install} (docs/deploy.md). */
@Component(property = CommandHandler.COMMAND + "=bundle.install")
public class BundleInstallCommand implements CommandHandler {
    private final Deployer deployer;

    @Activate
    public BundleInstallCommand(@Reference Deployer deployer) {
        this.deployer = deployer;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        return deployer.submit(Job.Kind.install, request);
    }
}
