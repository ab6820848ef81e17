package io.isthmus.net.wifi;

import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionValidator;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.json.StrictJson;
import io.isthmus.api.net.PortKind;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/** Checks the {@code wifi} object of every WiFi port; pointers like {@code /ports/wlan0/wifi/psk}. */
@Component(service = SectionValidator.class, property = SectionValidator.SECTION + "=*")
public class WifiValidator implements SectionValidator {

    @Override
    public List<ValidationError> validate(NetworkDocument document) {
        List<ValidationError> errors = new ArrayList<>();
        document.ports().forEach((name, port) -> {
            if (port.kind().equals(PortKind.WIFI)) {
                WifiSettings.parse(port.driver().get(WifiSettings.KEY),
                        "/ports/" + StrictJson.escape(name) + "/" + WifiSettings.KEY, errors);
            }
        });
        return errors;
    }
}
