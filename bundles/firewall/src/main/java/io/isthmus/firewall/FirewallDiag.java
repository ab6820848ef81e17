package io.isthmus.firewall;

import io.isthmus.api.linux.KernelException;
import io.isthmus.api.linux.Nftables;
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
 * {@code diag.firewall}: the table in force, its chain policies and every counted rule (conduits, port forwards,
 * multicast flows, the defaults) with packets and bytes. {@code {"match": "conduit 2"}} keeps the rules whose
 * comment contains the text.
 */
@Component(service = CommandHandler.class, property = CommandHandler.COMMAND + "=diag.firewall")
public class FirewallDiag implements CommandHandler {
    private final Nftables nft;

    @Activate
    public FirewallDiag(@Reference(name = "nftables") Nftables nft) {
        this.nft = nft;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        Object match = request.getOrDefault("match", "");
        if (!(match instanceof String text)) {
            return CommandReply.error(400, "bad-request", "match must be a string", Optional.of("/match"));
        }
        Optional<String> listing;
        try {
            listing = nft.listTable(Nft.TABLE);
        } catch (KernelException e) {
            return CommandReply.error(500, "nft-failed", e.getMessage(), Optional.empty());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("table", Nft.FAMILY + " " + Nft.TABLE);
        body.put("present", listing.isPresent());
        listing.ifPresent(l -> {
            TableListing table = TableListing.parse(l);
            Ruleset.digestIn(l).ifPresent(d -> body.put("ruleset", d));
            body.put("policies", table.policies());
            List<Map<String, Object>> rules = table.counters().stream()
                    .filter(r -> String.valueOf(r.get("rule")).contains(text)).toList();
            body.put("rules", rules);
        });
        return CommandReply.ok(body);
    }
}
