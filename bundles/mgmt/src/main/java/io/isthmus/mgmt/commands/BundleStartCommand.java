package io.isthmus.mgmt.commands;

import io.isthmus.api.mgmt.CommandHandler;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** {@code bundle.start {"bundle": id or name}}. */
@Component(service = CommandHandler.class, property = CommandHandler.COMMAND + "=bundle.start")
public class BundleStartCommand extends BundleStateCommand {
    @Activate
    public BundleStartCommand(BundleContext context) {
        super(context);
    }

    @Override
    void change(Bundle bundle) throws BundleException {
        bundle.start();
    }

    @Override
    Optional<String> refusal(BundleContext context, Bundle bundle) {
        return Optional.empty();
    }
}
