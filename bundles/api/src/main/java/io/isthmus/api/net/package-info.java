/**
 * Isthmus API: net. Semantically versioned; bump the minor for additions, the major for breaks.
 * 2.0.0: PortKind is an open record (a driver bundle adds a kind) instead of a closed enum; its default cost is the
 * driver's ({@link io.isthmus.api.config.PortKindReader#defaultCost()}).
 */
@Version("2.0.0")
@Export
package io.isthmus.api.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
