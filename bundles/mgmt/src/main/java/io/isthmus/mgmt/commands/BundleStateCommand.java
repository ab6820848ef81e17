package io.isthmus.mgmt.commands;

import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.mgmt.dispatch.Replies;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * {@code bundle.start} / {@code bundle.stop {"bundle": id or name}}: the bundle's state afterwards; 409 when
 * the framework refuses (it does not resolve, its activator failed) or the bundle must not be stopped (a
 * protected bundle: the message names what needs it).
 */
abstract class BundleStateCommand implements CommandHandler {
    private final BundleContext context;

    BundleStateCommand(BundleContext context) {
        this.context = context;
    }

    abstract void change(Bundle bundle) throws BundleException;

    /** Why this change must not happen to the bundle; empty: go ahead. */
    abstract Optional<String> refusal(BundleContext context, Bundle bundle);

    @Override
    public CommandReply handle(Map<String, Object> request) {
        Bundle bundle = BundleView.find(context, request);
        Optional<String> refused = refusal(context, bundle);
        if (refused.isPresent()) {
            return CommandReply.error(409, "refused", refused.get(), Optional.of("/bundle"));
        }
        try {
            change(bundle);
        } catch (BundleException | IllegalStateException e) {
            return CommandReply.error(409, "bundle-state", bundle.getSymbolicName() + ": " + e.getMessage(),
                    Optional.of("/bundle"));
        }
        return Replies.ok(BundleView.describe(bundle));
    }
}
