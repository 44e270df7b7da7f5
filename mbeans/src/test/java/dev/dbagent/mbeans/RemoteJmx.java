package dev.dbagent.mbeans;

import java.io.IOException;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A fresh MBeanServer behind a real RMI connector on loopback, and a client connected to it, so
 * that tests see values after they crossed the wire (serialized as open data), as a remote
 * JConsole or jmxterm would.
 */
final class RemoteJmx implements AutoCloseable {
    final MBeanServer server = MBeanServerFactory.newMBeanServer();
    final MBeanServerConnection connection;
    private final JMXConnectorServer connectorServer;
    private final JMXConnector connector;

    RemoteJmx() throws IOException {
        // no RMI registry: the client reaches the server through the stub encoded in the address
        connectorServer = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi://127.0.0.1"), null, server);
        connectorServer.start();
        connector = JMXConnectorFactory.connect(connectorServer.getAddress());
        connection = connector.getMBeanServerConnection();
    }

    ObjectName register(Object bean, ObjectName name) throws Exception {
        return server.registerMBean(bean, name).getObjectName();
    }

    <T> T proxy(ObjectName name, Class<T> type) {
        return JMX.newMXBeanProxy(connection, name, type);
    }

    <T> T notifyingProxy(ObjectName name, Class<T> type) {
        return JMX.newMXBeanProxy(connection, name, type, true);
    }

    @Override
    public void close() throws IOException {
        try {
            connector.close();
        } finally {
            connectorServer.stop();
        }
    }
}
