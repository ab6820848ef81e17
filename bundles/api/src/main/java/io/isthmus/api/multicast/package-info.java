/** Isthmus API: multicast. Semantically versioned; bump the minor for additions, the major for breaks. */
@Version("1.0.0")
@Export
package io.isthmus.api.multicast;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
