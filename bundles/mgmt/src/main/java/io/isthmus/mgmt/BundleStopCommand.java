package io.isthmus.mgmt;

import io.isthmus.api.mgmt.CommandHandler;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** {@code bundle.stop {"bundle": id or name}}: the rest keeps running; kernel state stays for its next start. */
@Component(service = CommandHandler.class, property = CommandHandler.COMMAND + "=bundle.stop")
public class BundleStopCommand extends BundleStateCommand {
    @Activate
    public BundleStopCommand(BundleContext context) {
        super(context);
    }

    @Override
    void change(Bundle bundle) throws BundleException {
        bundle.stop();
    }

    @Override
    boolean stops() {
        return true;
    }
}
