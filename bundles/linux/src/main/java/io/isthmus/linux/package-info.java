/**
 * The OS boundary: {@code ip -json} reads, {@code ip -batch} writes, /proc/sys, link events from
 * {@code ip monitor}, DHCP clients (udhcpc). Private implementation of io.isthmus.api.linux, nothing exported.
 */
package io.isthmus.linux;
