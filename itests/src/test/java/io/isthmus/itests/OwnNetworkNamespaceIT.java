package io.isthmus.itests;

import static org.junit.Assert.assertNotEquals;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Test;

/**
 * The guard behind every framework test here: the test JVM runs in a network namespace of its own
 * (src/test/netns-jvm/bin/java), so the profiles' documents are never applied to the build machine.
 */
public class OwnNetworkNamespaceIT {
    @Test
    public void testJvmIsNotInTheHostNetworkNamespace() throws Exception {
        assumeTrue("needs root to create namespaces", "root".equals(System.getProperty("user.name")));
        Path self = Files.readSymbolicLink(Path.of("/proc/self/ns/net"));
        // the Maven JVM that forked us lives in the host's namespace
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        Path build = Files.readSymbolicLink(Path.of("/proc/" + parent + "/ns/net"));
        assertNotEquals("the framework tests would configure the host's interfaces", build, self);
    }
}
