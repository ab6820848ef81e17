package io.isthmus.services;

import io.isthmus.api.linux.TimeKeeper;
import io.isthmus.api.linux.TimeStatus;
import io.isthmus.api.linux.TimeSync;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code time.status}: whether the gateway keeps its clock ({@code kept}), from which servers and for which subnets,
 * and the NTP client's state as chronyc reports it: synchronised, source, stratum, offset, last sync, and each
 * source with its state and reach.
 */
@Component(service = CommandHandler.class, property = CommandHandler.COMMAND + "=time.status")
public class TimeStatusCommand implements CommandHandler {
    private final TimeKeeper time;

    @Activate
    public TimeStatusCommand(@Reference(name = "time") TimeKeeper time) {
        this.time = time;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        return CommandReply.ok(body(time.kept(), time.timeStatus()));
    }

    static Map<String, Object> body(Optional<TimeSync> kept, TimeStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kept", kept.isPresent());
        m.put("servers", kept.map(TimeSync::servers).orElse(List.of()));
        m.put("serversFrom", kept.map(TimeSync::origin).orElse(""));
        m.put("serves", kept.map(k -> k.serve().stream().map(c -> c.network().toString()).toList())
                .orElse(List.of()));
        m.put("running", s.running());
        m.put("synchronised", s.synchronised());
        m.put("source", s.source().orElse(""));
        m.put("stratum", s.stratum());
        m.put("offsetSeconds", s.offsetSeconds());
        m.put("lastSync", s.lastSync().map(Object::toString).orElse(""));
        m.put("sources", s.sources().stream().map(src -> Map.of("address", src.address(), "state", src.state(),
                "stratum", src.stratum(), "reach", Integer.toOctalString(src.reach()))).toList());
        return m;
    }
}
