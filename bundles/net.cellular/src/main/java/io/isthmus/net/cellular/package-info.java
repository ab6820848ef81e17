/** Cellular port driver: ModemManager over D-Bus (SIM PIN, APN, bearer IP settings, registration, signal, data usage, bounded recovery). Private implementation package. */
package io.isthmus.net.cellular;
