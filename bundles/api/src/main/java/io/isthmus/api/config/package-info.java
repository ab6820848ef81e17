/**
 * Isthmus API: config. Semantically versioned; bump the minor for additions, the major for breaks.
 * 1.4.0: the section whiteboard (SectionReader, SectionContext, KnownPorts, Addresses), NetworkDocument.sections;
 * PortKindReader, the drivers' own port kinds and settings; ApplyTimeout; ManagementConfig.Proxy;
 * UplinkConfig.management/data.
 */
@Version("1.4.0")
@Export
package io.isthmus.api.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
