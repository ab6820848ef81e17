/** Isthmus API: deploy. Semantically versioned; bump the minor for additions, the major for breaks. */
@Version("1.1.0")
@Export
package io.isthmus.api.deploy;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
