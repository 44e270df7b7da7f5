package dev.dbagent.jmx.remote;

import dev.dbagent.OperationRefusedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.management.MBeanServer;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.net.ssl.SSLContext;
import javax.rmi.ssl.SslRMIClientSocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSR-160 RMI connector for one MBeanServer: what JConsole, VisualVM and jmxterm connect to as
 * {@code host:port}.
 *
 * <p>The RMI registry and the connector object share one port and are bound to the configured
 * address only (loopback by default). With {@code auth=true} callers log in against the password
 * file and the access file decides what they may do: {@code readonly} users (the shipped
 * {@code monitor}) read attributes, {@code readwrite} users ({@code operator}) also invoke
 * operations. Staging and production refuse to start without authentication.
 *
 * <p>RMI stubs carry the host name in {@code java.rmi.server.hostname}; when that property is unset
 * it is set to the bind address, so a loopback-bound connector also advertises loopback.
 *
 * <p>Thread-safe. {@link #close()} is idempotent.
 */
public final class RemoteJmxServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteJmxServer.class);
    private static final String RMI_HOSTNAME = "java.rmi.server.hostname";

    private final JMXConnectorServer connector;
    private final Registry registry;
    private final JMXServiceURL url;
    private final int port;
    private boolean closed;

    private RemoteJmxServer(JMXConnectorServer connector, Registry registry, JMXServiceURL url, int port) {
        this.connector = connector;
        this.registry = registry;
        this.url = url;
        this.port = port;
    }

    /**
     * Starts the registry and the connector.
     *
     * <p>Blocks while binding the port (milliseconds).
     *
     * @param mbeanServer the MBeanServer to serve
     * @param settings where and how
     * @return the running server
     * @throws OperationRefusedException without authentication in staging/production, or when the
     *     password file is missing or readable by others, or the access file is missing
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static RemoteJmxServer start(MBeanServer mbeanServer, RemoteJmxSettings settings) {
        Objects.requireNonNull(mbeanServer, "mbeanServer");
        Objects.requireNonNull(settings, "settings");
        RemoteAccessRules.refuseUnauthenticated("remote JMX", settings.auth(), settings.environment());
        if (settings.auth()) {
            RemoteAccessRules.requireOwnerOnly("remote JMX password file", settings.passwordFile());
            RemoteAccessRules.requireReadable("remote JMX access file", settings.accessFile());
        } else {
            LOG.warn("Remote JMX on {} starts WITHOUT authentication (environment {})",
                    settings.host(), settings.environment());
        }
        try {
            return open(mbeanServer, settings);
        } catch (IOException e) {
            throw new UncheckedIOException("remote JMX could not start on " + settings.host() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
    }

    private static RemoteJmxServer open(MBeanServer mbeanServer, RemoteJmxSettings settings) throws IOException {
        InetAddress address = InetAddress.getByName(settings.host());
        SSLContext ssl = settings.ssl() ? defaultSslContext() : null;
        BoundServerSocketFactory serverSockets = new BoundServerSocketFactory(address, ssl);
        RMIClientSocketFactory clientSockets = settings.ssl() ? new SslRMIClientSocketFactory() : null;
        int port = settings.port() == 0 ? freePort(address) : settings.port();
        advertise(settings.host(), address);

        Registry registry = LocateRegistry.createRegistry(port, clientSockets, serverSockets);
        String host = urlHost(settings.host());
        JMXServiceURL url = new JMXServiceURL(
                "service:jmx:rmi://" + host + ":" + port + "/jndi/rmi://" + host + ":" + port + "/jmxrmi");
        Map<String, Object> env = new HashMap<>();
        env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, serverSockets);
        if (clientSockets != null) {
            env.put(RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE, clientSockets);
            // the JNDI bind below talks to our own TLS registry
            env.put("com.sun.jndi.rmi.factory.socket", clientSockets);
        }
        if (settings.auth()) {
            env.put("jmx.remote.x.password.file", settings.passwordFile().toAbsolutePath().toString());
            env.put("jmx.remote.x.access.file", settings.accessFile().toAbsolutePath().toString());
        }
        // only user/password arrays may be deserialised before authentication
        env.put("jmx.remote.rmi.server.credential.types",
                new String[] {String[].class.getName(), String.class.getName()});
        JMXConnectorServer connector = JMXConnectorServerFactory.newJMXConnectorServer(url, env, mbeanServer);
        try {
            connector.start();
        } catch (IOException | RuntimeException e) {
            unexport(registry);
            throw e;
        }
        LOG.info("Remote JMX listening on {} (auth={}, ssl={}, environment={})",
                url, settings.auth(), settings.ssl(), settings.environment());
        return new RemoteJmxServer(connector, registry, url, port);
    }

    /** @return the URL a JMX client connects to; jmxterm and JConsole also accept {@code host:port} */
    public JMXServiceURL serviceUrl() {
        return url;
    }

    /** @return the port the registry and the connector listen on */
    public int port() {
        return port;
    }

    /** @return whether the connector is accepting connections */
    public synchronized boolean isActive() {
        return !closed && connector.isActive();
    }

    /**
     * Stops the connector (closing client connections) and the registry and frees the port.
     * Idempotent; never throws.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            connector.stop();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Remote JMX connector {} did not stop cleanly: {}", url, e.toString());
        }
        unexport(registry);
        LOG.info("Remote JMX on port {} stopped", port);
    }

    private static void unexport(Registry registry) {
        try {
            UnicastRemoteObject.unexportObject(registry, true);
        } catch (NoSuchObjectException e) {
            // already gone
        }
    }

    private static void advertise(String host, InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return;
        }
        String advertised = System.getProperty(RMI_HOSTNAME);
        if (advertised == null) {
            System.setProperty(RMI_HOSTNAME, host);
        } else if (!advertised.equals(host)) {
            LOG.warn("{}={} differs from the remote JMX bind address {}: clients may fail to reach the connector",
                    RMI_HOSTNAME, advertised, host);
        }
    }

    private static int freePort(InetAddress address) throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, address)) {
            return probe.getLocalPort();
        }
    }

    private static String urlHost(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static SSLContext defaultSslContext() throws IOException {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no default TLS context: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "RemoteJmxServer[" + url + "]";
    }
}
