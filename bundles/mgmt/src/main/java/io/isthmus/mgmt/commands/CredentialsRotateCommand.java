package io.isthmus.mgmt.commands;

import io.isthmus.api.json.JsonValue;
import io.isthmus.api.mgmt.CommandHandler;
import io.isthmus.api.mgmt.CommandReply;
import io.isthmus.mgmt.CredentialRotation;
import io.isthmus.mgmt.credentials.Certificates;
import io.isthmus.mgmt.dispatch.BadRequest;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code credentials.rotate {"certificate": PEM, "key": PEM, "ca": PEM, "windowMs": 20000}}: a new client
 * certificate and key (and CA bundle) for the broker, checked here (parses, key matches, valid now), then tried by
 * the agent with test before commit. The texts are secrets: they are never logged nor echoed.
 */
@Component(property = {CommandHandler.COMMAND + "=credentials.rotate", CommandHandler.TIMEOUT_MS + ":Long=150000"})
public class CredentialsRotateCommand implements CommandHandler {
    private final CredentialRotation agent;

    @Activate
    public CredentialsRotateCommand(@Reference(name = "agent") CredentialRotation agent) {
        this.agent = agent;
    }

    @Override
    public CommandReply handle(Map<String, Object> request) {
        JsonValue in = JsonValue.root(request);
        String certificate = in.member("certificate", "the client certificate (PEM)").nonEmptyString();
        String key = in.member("key", "its private key (PEM, PKCS#8)").nonEmptyString();
        Optional<String> ca = in.optional("ca").map(JsonValue::nonEmptyString);
        Duration window = Duration.ofMillis(in.optional("windowMs").map(v -> v.integer(2000, 60000)).orElse(20000L));
        X509Certificate own;
        try {
            own = Certificates.parse(certificate).get(0);
            own.checkValidity();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new BadRequest("/certificate", "the certificate is not valid now: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new BadRequest("/certificate", "not a PEM certificate: " + e.getMessage());
        }
        PrivateKey privateKey;
        try {
            privateKey = Certificates.key(key);
        } catch (GeneralSecurityException e) {
            throw new BadRequest("/key", e.getMessage());
        }
        if (!Certificates.matches(own, privateKey)) {
            throw new BadRequest("/key", "the key does not belong to the certificate ("
                    + own.getSubjectX500Principal().getName() + ")");
        }
        if (ca.isPresent()) {
            try {
                Certificates.parse(ca.get());
            } catch (GeneralSecurityException e) {
                throw new BadRequest("/ca", "not PEM certificates: " + e.getMessage());
            }
        }
        return agent.rotate(certificate, key, ca, window);
    }
}
