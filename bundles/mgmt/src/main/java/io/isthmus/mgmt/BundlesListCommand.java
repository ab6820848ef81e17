package io.isthmus.mgmt;

import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import java.util.Arrays;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** {@code bundles.list}: every bundle with id, symbolic name, version and state. */
@Component(property = CommandHandler.COMMAND + "=bundles.list")
public class BundlesListCommand implements CommandHandler {
    private final BundleContext context;

    @Activate
    public BundlesListCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        return Replies.ok(Map.of("bundles", Arrays.stream(context.getBundles()).map(BundleView::describe).toList()));
    }
}
