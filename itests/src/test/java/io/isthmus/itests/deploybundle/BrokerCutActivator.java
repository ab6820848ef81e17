package io.isthmus.itests.deploybundle;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Nftables;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * A bad probe bundle that breaks the management connection for real: while active it owns an nftables table whose
 * output chain drops every TCP packet to port 1883 (the lab broker), and empties the table when it stops.
 */
public class BrokerCutActivator implements BundleActivator {
    static final String TABLE = "isthmus_deploy_cut";

    @Override
    public void start(BundleContext context) throws KernelException {
        with(context, "[{\"chain\": {\"family\": \"inet\", \"table\": \"" + TABLE + "\", \"name\": \"out\", "
                + "\"type\": \"filter\", \"hook\": \"output\", \"prio\": -10, \"policy\": \"accept\"}}, "
                + "{\"rule\": {\"family\": \"inet\", \"table\": \"" + TABLE + "\", \"chain\": \"out\", \"expr\": ["
                + "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\", \"field\": \"dport\"}}, "
                + "\"right\": 1883}}, {\"drop\": null}]}}]");
    }

    @Override
    public void stop(BundleContext context) throws KernelException {
        with(context, "[]");
    }

    private static void with(BundleContext context, String objects) throws KernelException {
        ServiceReference<Nftables> ref = context.getServiceReference(Nftables.class);
        if (ref == null) {
            throw new IllegalStateException("no Nftables service");
        }
        try {
            context.getService(ref).replaceTable(TABLE, objects);
        } finally {
            context.ungetService(ref);
        }
    }
}
