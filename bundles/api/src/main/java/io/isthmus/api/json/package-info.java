/**
 * Isthmus API: the one way the gateway reads JSON it is given (network documents, management requests, deploy
 * files, drivers' settings, the launcher's files): {@link io.isthmus.api.json.StrictJson} parses the text,
 * {@link io.isthmus.api.json.JsonValue} reads typed values out of it with one error style (the offending value and
 * its JSON pointer, {@link io.isthmus.api.json.JsonValueException}), {@link io.isthmus.api.json.JsonReader} collects
 * every such error of a document. Semantically versioned; bump the minor for additions, the major for breaks.
 * 1.1.0: JsonValue, JsonValueException, JsonReader.
 */
@Version("1.1.0")
@Export
package io.isthmus.api.json;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
