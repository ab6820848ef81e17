package io.isthmus.firewall;

import static io.isthmus.firewall.Docs.firewall;
import static io.isthmus.firewall.Docs.forward;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isthmus.api.config.ValidationError;
import java.util.List;
import org.junit.jupiter.api.Test;

class FirewallValidatorTest {
    final FirewallValidator validator = new FirewallValidator();

    @Test
    void overlappingPortForwardsAreRejectedAtTheLaterOne() {
        List<ValidationError> errors = validator.validate(Docs.lab(firewall(List.of(), List.of(
                forward(8443, "192.168.50.10", 443, List.of()), forward(8080, "192.168.50.11", 80, List.of()),
                forward(8443, "192.168.50.12", 443, List.of())))));
        assertEquals(List.of("/firewall/portForwards/2/port"), errors.stream().map(ValidationError::pointer).toList());
    }

    @Test
    void aPortForwardIntoTheOfflineNetworkIsRejected() {
        List<ValidationError> errors = validator.validate(Docs.lab(firewall(List.of(), List.of(
                forward(502, "10.20.0.10", 502, List.of())))));
        assertEquals(List.of("/firewall/portForwards/0/toAddress"), errors.stream().map(ValidationError::pointer)
                .toList());
    }

    @Test
    void aValidDocumentHasNoErrors() {
        assertEquals(List.of(), validator.validate(Docs.lab(firewall(List.of(), List.of(
                forward(8443, "192.168.50.10", 443, List.of("203.0.113.0/24")))))));
    }
}
