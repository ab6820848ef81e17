package io.isthmus.runtime;

import io.isthmus.api.runtime.ProtectedBundles;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/** {@link ProtectedBundles}, derived afresh at each question: the framework's wiring changes with every update. */
@Component(service = ProtectedBundles.class)
public class ProtectedBundlesComponent implements ProtectedBundles {
    private final BundleContext context;
    private final ServiceComponentRuntime scr;

    @Activate
    public ProtectedBundlesComponent(BundleContext context, @Reference ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
    }

    @Override
    public Optional<String> whyProtected(long bundleId) {
        return Optional.ofNullable(Protection.derive(context, scr).get(bundleId));
    }
}
