/** Runtime readiness. Private implementation, nothing exported. */
package io.isthmus.runtime;
