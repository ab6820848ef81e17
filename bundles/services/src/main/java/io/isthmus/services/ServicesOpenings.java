package io.isthmus.services;

import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.firewall.HostOpenings;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/** Tells the firewall which holes the services of a document need: udp/67, udp+tcp/53, on the ports served. */
@Component(service = HostOpenings.class)
public class ServicesOpenings implements HostOpenings {
    @Override
    public List<Opening> openings(NetworkDocument doc) {
        return ServicesPlan.openings(doc);
    }
}
