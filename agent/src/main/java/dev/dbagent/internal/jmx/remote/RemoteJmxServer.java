package dev.dbagent.internal.jmx.remote;

import dev.dbagent.OperationRefusedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.AlreadyBoundException;
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
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;
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
     * Starts the registry and the connector; with {@code ssl=true} TLS uses the JVM's default
     * {@link SSLContext} (key store from {@code javax.net.ssl.keyStore}).
     *
     * <p>Blocks while binding the port (milliseconds).
     *
     * @param mbeanServer the MBeanServer to serve
     * @param settings where and how
     * @return the running server
     * @throws OperationRefusedException without authentication in staging/production, or when the
     *     password file is missing or readable by others, or the access file is missing
     * @throws UncheckedIOException when the port cannot be bound or there is no TLS context
     */
    public static RemoteJmxServer start(MBeanServer mbeanServer, RemoteJmxSettings settings) {
        return start(mbeanServer, settings, null);
    }

    /**
     * Starts the registry and the connector, with TLS from the given context when
     * {@code settings.ssl()} is true. Clients still verify the server with their own default
     * trust store ({@code javax.net.ssl.trustStore}), as JConsole and jmxterm do.
     *
     * <p>Blocks while binding the port (milliseconds).
     *
     * @param mbeanServer the MBeanServer to serve
     * @param settings where and how
     * @param sslContext the server's TLS context, or {@code null} for the JVM default; ignored
     *     when {@code settings.ssl()} is false
     * @return the running server
     * @throws OperationRefusedException without authentication in staging/production, or when the
     *     password file is missing or readable by others, or the access file is missing
     * @throws UncheckedIOException when the port cannot be bound or there is no TLS context
     */
    public static RemoteJmxServer start(MBeanServer mbeanServer, RemoteJmxSettings settings, SSLContext sslContext) {
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
            SSLContext ssl = settings.ssl() ? (sslContext != null ? sslContext : defaultSslContext()) : null;
            return open(mbeanServer, settings, ssl);
        } catch (IOException e) {
            throw new UncheckedIOException("remote JMX could not start on " + settings.host() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
    }

    private static RemoteJmxServer open(MBeanServer mbeanServer, RemoteJmxSettings settings, SSLContext ssl)
            throws IOException {
        InetAddress address = InetAddress.getByName(settings.host());
        BoundServerSocketFactory serverSockets = new BoundServerSocketFactory(address, ssl);
        RMIClientSocketFactory clientSockets = ssl != null ? new SslRMIClientSocketFactory() : null;
        int port = settings.port() == 0 ? freePort(address) : settings.port();
        advertise(settings.host(), address);

        Map<String, Object> env = new HashMap<>();
        if (settings.auth()) {
            env.put("jmx.remote.x.password.file", settings.passwordFile().toAbsolutePath().toString());
            env.put("jmx.remote.x.access.file", settings.accessFile().toAbsolutePath().toString());
        }
        // only user/password arrays may be deserialised before authentication
        env.put("jmx.remote.rmi.server.credential.types",
                new String[] {String[].class.getName(), String.class.getName()});

        // The connector object is exported by us and bound into our own registry in-process (no
        // JNDI round trip over the network), which is what lets registry and connector share a
        // port, and a TLS registry work without the server trusting its own certificate.
        RMIJRMPServerImpl rmiServer = new RMIJRMPServerImpl(port, clientSockets, serverSockets, env);
        String host = urlHost(address.isAnyLocalAddress() ? localHostName() : settings.host());
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + host + ":" + port + "/jmxrmi");
        JMXConnectorServer connector = new RMIConnectorServer(
                new JMXServiceURL("rmi", settings.host(), port), env, rmiServer, mbeanServer);
        Registry registry = null;
        try {
            connector.start();
            registry = LocateRegistry.createRegistry(port, clientSockets, serverSockets);
            registry.bind("jmxrmi", rmiServer.toStub());
        } catch (IOException | AlreadyBoundException | RuntimeException e) {
            if (registry != null) {
                unexport(registry);
            }
            connector.stop();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        LOG.info("Remote JMX listening on {} (auth={}, ssl={}, environment={})",
                url, settings.auth(), ssl != null, settings.environment());
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

    /** A wildcard bind has no address a client could use; the machine's name is the best guess. */
    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static int freePort(InetAddress address) throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, address)) {
            return probe.getLocalPort();
        }
    }

    static String urlHost(String host) {
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
