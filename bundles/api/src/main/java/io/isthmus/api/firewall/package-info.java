/**
 * Isthmus API: firewall. Semantically versioned; bump the minor for additions, the major for breaks.
 * 1.2.0: ZoneRefs, the zone references of the firewall and multicast sections, read; HostOpenings.
 */
@Version("1.2.0")
@Export
package io.isthmus.api.firewall;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
