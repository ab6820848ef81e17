/**
 * Isthmus API: the one way the gateway reads JSON it is given (network documents, management requests, deploy
 * files). Semantically versioned; bump the minor for additions, the major for breaks.
 */
@Version("1.0.0")
@Export
package io.isthmus.api.json;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
