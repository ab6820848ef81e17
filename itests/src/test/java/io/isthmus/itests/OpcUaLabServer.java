package io.isthmus.itests;

import java.util.Set;
import org.eclipse.milo.opcua.sdk.server.EndpointConfig;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.transport.TransportProfile;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransport;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransportConfig;

/**
 * A real OPC UA server (Eclipse Milo, no security, anonymous) for the lab, run as a plain JVM inside a namespace:
 * {@code java -cp … io.isthmus.itests.OpcUaLabServer ADDRESS PORT}. Prints {@code listening} once bound; runs
 * until killed.
 */
public final class OpcUaLabServer {
    private OpcUaLabServer() {
    }

    public static void main(String[] args) throws Exception {
        String address = args[0];
        int port = Integer.parseInt(args[1]);
        EndpointConfig endpoint = new EndpointConfig.Builder().setTransportProfile(TransportProfile.TCP_UASC_UABINARY)
                .setBindAddress(address).setBindPort(port).setHostname(address)
                .setSecurityPolicy(SecurityPolicy.None).setSecurityMode(MessageSecurityMode.None)
                .addTokenPolicy(OpcUaServerConfig.USER_TOKEN_POLICY_ANONYMOUS).build();
        OpcUaServerConfig config = OpcUaServerConfig.builder().setEndpoints(Set.of(endpoint))
                .setApplicationName(LocalizedText.english("isthmus lab PLC"))
                .setApplicationUri("urn:isthmus:lab:plc").setProductUri("urn:isthmus:lab").build();
        OpcUaServer server = new OpcUaServer(config,
                profile -> new OpcTcpServerTransport(OpcTcpServerTransportConfig.newBuilder().build()));
        server.startup().get();
        System.out.println("listening");
        Thread.currentThread().join();
    }
}
