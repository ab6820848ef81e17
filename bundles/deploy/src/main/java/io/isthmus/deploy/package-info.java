/** Field updates of single bundles: transfer, verification, health window, automatic rollback, a crash-safe store. Private implementation package. */
package io.isthmus.deploy;
