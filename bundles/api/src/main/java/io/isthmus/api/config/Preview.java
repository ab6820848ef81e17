package io.isthmus.api.config;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What a document would change: validation errors (then nothing else was asked), else per applier (by its
 * component or class name) the changes it would make, in words.
 */
@ProviderType
public record Preview(List<ValidationError> errors, Map<String, List<String>> changes) {
    public Preview {
        errors = List.copyOf(errors);
        changes = Map.copyOf(changes);
    }
}
