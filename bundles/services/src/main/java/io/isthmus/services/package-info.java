/**
 * DHCP and DNS for the networks behind the gateway, and the gateway's clock and the time it serves them (the
 * document's services section). Private implementation.
 */
package io.isthmus.services;
