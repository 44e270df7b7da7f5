package dev.dbagent.internal.jmx.remote;

import dev.dbagent.OperationRefusedException;
import dev.dbagent.config.Environment;
import dev.dbagent.config.JmxRemoteSettings;
import dev.dbagent.internal.jmx.access.Role;
import dev.dbagent.internal.jmx.access.RolePrincipal;
import dev.dbagent.internal.jmx.access.StartChecks;
import dev.dbagent.internal.jmx.access.Users;

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
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXPrincipal;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import javax.net.ssl.SSLContext;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import javax.security.auth.Subject;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSR-160 RMI connector for one MBeanServer: what JConsole, VisualVM and jmxterm connect to as
 * {@code host:port}.
 *
 * <p>The RMI registry and the connector object share one port and are bound to the configured
 * address only (loopback by default). With {@code auth=true} callers log in against the password
 * file and get the role the access file gives them ({@code readonly} = monitor,
 * {@code readwrite} = operator). Every call is then authorised by
 * {@link dev.dbagent.internal.jmx.access.AccessPolicy} through an {@code MBeanServerForwarder}, in
 * every environment: dbagent reads and INFO operations for monitor, also ACTION operations for
 * operator, no MBean creation or attribute writes, nothing invoked outside {@code dev.dbagent}
 * and only the listed JVM reads. Without authentication (development only) callers are
 * operators under the same limits. Whatever {@link JmxRemoteSettings#problems(Environment)}
 * reports is refused at start.
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
     * @param environment the agent's environment
     * @return the running server
     * @throws OperationRefusedException when {@link JmxRemoteSettings#problems(Environment)} reports
     *     anything (no authentication in staging/production, password file missing or readable by
     *     others, access file missing or malformed, ...)
     * @throws UncheckedIOException when the port cannot be bound or there is no TLS context
     */
    public static RemoteJmxServer start(MBeanServer mbeanServer, JmxRemoteSettings settings, Environment environment) {
        return start(mbeanServer, settings, environment, null);
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
     * @param environment the agent's environment
     * @param sslContext the server's TLS context, or {@code null} for the JVM default; ignored
     *     when {@code settings.ssl()} is false
     * @return the running server
     * @throws OperationRefusedException without authentication in staging/production, or when the
     *     password file is missing or readable by others, or the access file is missing
     * @throws UncheckedIOException when the port cannot be bound or there is no TLS context
     */
    public static RemoteJmxServer start(MBeanServer mbeanServer, JmxRemoteSettings settings, Environment environment,
            SSLContext sslContext) {
        Objects.requireNonNull(mbeanServer, "mbeanServer");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(environment, "environment");
        StartChecks.refuseIfAny("remote JMX", settings.problems(environment));
        if (!settings.auth()) {
            LOG.warn("Remote JMX on {} starts WITHOUT authentication (environment {}): every caller is an operator",
                    settings.host(), environment.key());
        }
        try {
            SSLContext ssl = settings.ssl() ? (sslContext != null ? sslContext : defaultSslContext()) : null;
            Users users = settings.auth()
                    ? Users.fromFiles(settings.passwordFile().orElseThrow(), settings.accessFile().orElseThrow())
                    : null;
            return open(mbeanServer, settings, environment, users, ssl);
        } catch (IOException e) {
            throw new UncheckedIOException("remote JMX could not start on " + settings.host() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
    }

    private static RemoteJmxServer open(MBeanServer mbeanServer, JmxRemoteSettings settings, Environment environment,
            Users users, SSLContext ssl) throws IOException {
        InetAddress address = InetAddress.getByName(settings.host());
        BoundServerSocketFactory serverSockets = new BoundServerSocketFactory(address, ssl);
        RMIClientSocketFactory clientSockets = ssl != null ? new SslRMIClientSocketFactory() : null;
        int port = settings.port() == 0 ? freePort(address) : settings.port();
        advertise(settings.host(), address);

        Map<String, Object> env = new HashMap<>();
        if (users != null) {
            // our own authenticator: the same users and roles as Jolokia, the role in the Subject;
            // no JDK access file, whose readwrite would open every MBean of the JVM
            env.put(JMXConnectorServer.AUTHENTICATOR, authenticator(users));
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
        connector.setMBeanServerForwarder(RoleCheckingForwarder.create(users == null ? Role.OPERATOR : null));
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
        LOG.info("Remote JMX listening on {} (auth={}, ssl={}, environment={}, users={})",
                url, settings.auth(), ssl != null, environment.key(), users == null ? "anonymous operator" : users);
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

    /**
     * Checks {@code [user, password]} credentials against the users table; the Subject carries
     * the user (for the audit) and the role (for {@link RoleCheckingForwarder}).
     */
    private static JMXAuthenticator authenticator(Users users) {
        return credentials -> {
            if (!(credentials instanceof String[] pair) || pair.length != 2) {
                throw new SecurityException("Authentication failed: credentials must be [user, password]");
            }
            Role role = users.authenticate(pair[0], pair[1])
                    .orElseThrow(() -> new SecurityException("Authentication failed"));
            return new Subject(true, Set.of(new JMXPrincipal(pair[0]), new RolePrincipal(role)), Set.of(), Set.of());
        };
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
