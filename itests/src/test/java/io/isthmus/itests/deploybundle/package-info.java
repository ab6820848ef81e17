/**
 * Classes of the small bundles DeploySystemIT and DeployCrashIT build at test time and ship to a gateway (see
 * DeployBundles): they are compiled with the tests and copied into jars with hand-written manifests.
 */
package io.isthmus.itests.deploybundle;
