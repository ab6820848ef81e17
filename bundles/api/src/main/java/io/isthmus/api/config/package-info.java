/**
 * Isthmus API: config. Semantically versioned; bump the minor for additions, the major for breaks.
 * 1.4.0: the section whiteboard (SectionReader, SectionContext, KnownPorts, Addresses), NetworkDocument.sections;
 * PortSettingsReader, the drivers' own port settings.
 */
@Version("1.4.0")
@Export
package io.isthmus.api.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
