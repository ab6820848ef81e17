package io.isthmus.net.cellular;

import io.isthmus.api.config.NetworkDocument;
import io.isthmus.api.config.SectionValidator;
import io.isthmus.api.config.ValidationError;
import io.isthmus.api.net.PortKind;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/** Checks the {@code cellular} object of every cellular port: a document with a bad one changes nothing. */
@Component(service = SectionValidator.class, property = SectionValidator.SECTION + "=*")
public class CellularValidator implements SectionValidator {

    @Override
    public List<ValidationError> validate(NetworkDocument document) {
        List<ValidationError> errors = new ArrayList<>();
        document.ports().forEach((name, port) -> {
            if (!port.kind().equals(PortKind.CELLULAR)) {
                return;
            }
            String at = "/ports/" + pointerToken(name);
            Object settings = port.driver().get("cellular");
            if (settings == null) {
                errors.add(new ValidationError(at, "a cellular port needs its \"cellular\" settings, at least the "
                        + "APN: {\"cellular\": {\"apn\": \"internet\"}}"));
            } else {
                errors.addAll(CellularSettings.validate(at + "/cellular", settings));
            }
        });
        return errors;
    }

    /** RFC 6901 escaping (interface names may not hold '/' or '~', but the pointer must be right regardless). */
    static String pointerToken(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
