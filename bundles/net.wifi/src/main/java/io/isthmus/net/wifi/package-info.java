/** WiFi port driver: client mode through wpa_supplicant (PSK, 802.1X/EAP), scan, signal; IPv4 through the Ethernet addressing. Private implementation package. */
package io.isthmus.net.wifi;
