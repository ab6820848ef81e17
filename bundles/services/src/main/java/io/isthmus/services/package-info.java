/** DHCP and DNS for the networks behind the gateway (the document's services section). Private implementation. */
package io.isthmus.services;
