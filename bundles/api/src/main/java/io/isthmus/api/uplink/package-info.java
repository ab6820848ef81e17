/** Isthmus API: uplink. Semantically versioned; bump the minor for additions, the major for breaks. */
@Version("1.2.0")
@Export
package io.isthmus.api.uplink;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
