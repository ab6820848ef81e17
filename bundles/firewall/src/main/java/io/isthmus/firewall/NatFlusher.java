package io.isthmus.firewall;

import io.isthmus.api.firewall.ConntrackFlusher;
import io.isthmus.api.linux.Conntrack;
import io.isthmus.api.linux.InterfaceAddress;
import io.isthmus.api.linux.Kernel;
import io.isthmus.api.linux.KernelException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * ConntrackFlusher: after an uplink switch, the flows masqueraded to the old uplink's addresses are forgotten,
 * so their next packet is NATed (and routed) afresh instead of waiting for a dead path.
 */
@Component(service = ConntrackFlusher.class)
public class NatFlusher implements ConntrackFlusher {
    private final Kernel kernel;
    private final Conntrack conntrack;
    private final Logger log;

    @Activate
    public NatFlusher(@Reference(name = "kernel") Kernel kernel, @Reference(name = "conntrack") Conntrack conntrack,
            @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this.kernel = kernel;
        this.conntrack = conntrack;
        this.log = log;
    }

    @Override
    public int flushNatThrough(String port) {
        int deleted = 0;
        try {
            for (InterfaceAddress a : kernel.addresses()) {
                if (a.device().equals(port)) {
                    deleted += conntrack.deleteNatedTo(a.address().address());
                }
            }
        } catch (KernelException e) {
            log.warn("firewall: conntrack flush for " + port + " failed: " + e.getMessage());
        }
        log.info("firewall: " + deleted + " conntrack entries through " + port + " flushed");
        return deleted;
    }
}
