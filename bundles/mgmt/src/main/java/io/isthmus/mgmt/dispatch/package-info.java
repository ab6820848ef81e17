/** Commands in, replies out: topic to handler, lanes, duplicate-request cache, error replies (private). */
package io.isthmus.mgmt.dispatch;
