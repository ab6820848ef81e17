package io.isthmus.itests;

import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;

/**
 * A Milo OPC UA client for the lab: {@code java -cp … io.isthmus.itests.OpcUaLabClient opc.tcp://HOST:PORT}
 * connects, reads the server's namespace array (a value every server has) and prints {@code value: …}; exit 0 on
 * success, 1 on any failure, 2 when it took longer than 10 s.
 */
public final class OpcUaLabClient {
    private OpcUaLabClient() {
    }

    public static void main(String[] args) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(10_000); // a hard bound: a dropped SYN must not hang the test
                System.out.println("timed out");
                Runtime.getRuntime().halt(2);
            } catch (InterruptedException e) {
                // finished in time
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            OpcUaClient client = OpcUaClient.create(args[0]);
            client.connect();
            DataValue v = client.readValue(0, TimestampsToReturn.Neither,
                    NodeIds.Server_NamespaceArray);
            System.out.println("value: " + java.util.Arrays.toString((Object[]) v.getValue().getValue()));
            client.disconnect();
            Runtime.getRuntime().halt(0);
        } catch (Exception e) {
            System.out.println("failed: " + e);
            Runtime.getRuntime().halt(1);
        }
    }
}
