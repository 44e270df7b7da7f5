package dev.dbagent.internal.jmx.remote;

import dev.dbagent.OperationRefusedException;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.jolokia.jvmagent.JolokiaServerConfig;
import org.jolokia.server.core.config.ConfigKey;
import org.jolokia.server.core.config.SystemPropertyMode;
import org.jolokia.server.core.service.api.LogHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jolokia HTTP bridge, started in-process: JMX reads, writes and operations as JSON over HTTP
 * at {@code http://host:port/jolokia/}.
 *
 * <p>Bound to loopback by default, with HTTP basic authentication and the access policy from
 * {@link JolokiaServerSettings#policyFile()}. Users come either from one configured user/password or
 * from the remote-JMX password and access files, in which case {@code readonly} users (the
 * shipped {@code monitor}) get HTTP 403 for anything but read, list, search and version. Staging and production refuse to start without
 * authentication or without a policy. Multicast discovery is off. Jolokia serves the platform
 * MBeanServer and every MBeanServer created through {@code MBeanServerFactory.createMBeanServer}.
 * Each request runs as the authenticated user, so {@link Callers#current()} returns
 * {@code jolokia:<user>} inside it.
 *
 * <p>Thread-safe. {@link #close()} is idempotent.
 */
public final class JolokiaServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JolokiaServer.class);
    private static final String CONTEXT = "/jolokia/";

    private static final int BACKLOG = 10;
    private static final int THREADS = 2;
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final org.jolokia.jvmagent.JolokiaServer server;
    private final HttpServer http;
    private final ExecutorService executor;
    private final InetSocketAddress address;
    private boolean closed;

    private JolokiaServer(org.jolokia.jvmagent.JolokiaServer server, HttpServer http, ExecutorService executor) {
        this.server = server;
        this.http = http;
        this.executor = executor;
        this.address = http.getAddress();
    }

    /**
     * Starts Jolokia.
     *
     * <p>Blocks while binding the port (milliseconds).
     *
     * @param settings where and how
     * @return the running server
     * @throws OperationRefusedException without authentication or policy in staging/production, or
     *     when the policy file does not exist
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static JolokiaServer start(JolokiaServerSettings settings) {
        Objects.requireNonNull(settings, "settings");
        RemoteAccessRules.refuseUnauthenticated("Jolokia", settings.auth(), settings.environment());
        if (settings.policyFile() == null) {
            if (RemoteAccessRules.requiresAuth(settings.environment())) {
                throw new OperationRefusedException("Jolokia refused to start without an access policy in environment '"
                        + settings.environment() + "': set the policy file (jmx-config/jolokia-access.xml)");
            }
            LOG.warn("Jolokia starts WITHOUT an access policy: every MBean can be read, written and invoked");
        } else {
            RemoteAccessRules.requireReadable("Jolokia policy file", settings.policyFile());
        }
        if (settings.auth() && settings.passwordFile() != null) {
            RemoteAccessRules.requireOwnerOnly("Jolokia password file", settings.passwordFile());
            RemoteAccessRules.requireReadable("Jolokia access file", settings.accessFile());
        }
        if (!settings.auth()) {
            LOG.warn("Jolokia on {} starts WITHOUT authentication (environment {})",
                    settings.host(), settings.environment());
        }

        Map<String, String> config = new HashMap<>();
        config.put(ConfigKey.AGENT_CONTEXT.getKeyValue(), CONTEXT);
        config.put(ConfigKey.DISCOVERY_ENABLED.getKeyValue(), "false");
        config.put(ConfigKey.INCLUDE_STACKTRACE.getKeyValue(), "false");
        config.put(ConfigKey.ALLOW_ERROR_DETAILS.getKeyValue(), "true");
        config.put(ConfigKey.DEBUG.getKeyValue(), "false");
        if (settings.policyFile() != null) {
            config.put(ConfigKey.POLICY_LOCATION.getKeyValue(),
                    settings.policyFile().toAbsolutePath().toUri().toString());
        }
        Authenticator authenticator = null;
        if (settings.auth()) {
            authenticator = settings.passwordFile() != null
                    ? JolokiaAuthenticator.fromFiles(CONTEXT, settings.passwordFile(), settings.accessFile())
                    : JolokiaAuthenticator.singleUser(CONTEXT, settings.user(), settings.password());
        }
        // Our own HTTP server, so close() can stop it synchronously and free the port (Jolokia
        // stops a server it created from a background thread, some time later).
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port()),
                    BACKLOG);
        } catch (IOException e) {
            throw new UncheckedIOException("Jolokia could not start on " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, JolokiaServer::thread);
        http.setExecutor(executor);
        try {
            org.jolokia.jvmagent.JolokiaServer server = new org.jolokia.jvmagent.JolokiaServer(
                    http, new Config(config, authenticator), new Slf4jLogHandler());
            server.start(false);
            http.start();
            JolokiaServer started = new JolokiaServer(server, http, executor);
            LOG.info("Jolokia listening on {} (auth={}, policy={}, environment={})",
                    started.url(), settings.auth(), settings.policyFile(), settings.environment());
            return started;
        } catch (RuntimeException e) {
            http.stop(0);
            executor.shutdownNow();
            throw e;
        }
    }

    private static Thread thread(Runnable r) {
        Thread t = new Thread(r, "dbagent-jolokia-" + THREAD_IDS.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    /** @return the base URL, e.g. {@code http://127.0.0.1:8778/jolokia/} */
    public URI url() {
        String host = RemoteJmxServer.urlHost(address.getAddress().getHostAddress());
        return URI.create("http://" + host + ":" + address.getPort() + CONTEXT);
    }

    /** @return the bound port */
    public int port() {
        return address.getPort();
    }

    /**
     * Stops Jolokia and the HTTP server and frees the port before returning. Idempotent; never
     * throws.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.stop();
        } catch (RuntimeException e) {
            LOG.warn("Jolokia on port {} did not stop cleanly: {}", address.getPort(), e.toString());
        }
        http.stop(0);
        executor.shutdownNow();
        LOG.info("Jolokia on port {} stopped", address.getPort());
    }

    @Override
    public String toString() {
        return "JolokiaServer[" + url() + "]";
    }

    /** Jolokia's configuration with our authenticator instead of its single-user one. */
    private static final class Config extends JolokiaServerConfig {
        private final Authenticator authenticator;

        Config(Map<String, String> config, Authenticator authenticator) {
            super(config, SystemPropertyMode.NEVER);
            this.authenticator = authenticator;
        }

        @Override
        public Authenticator getAuthenticator() {
            return authenticator;
        }
    }

    /** Jolokia's log lines into SLF4J instead of stdout. */
    private static final class Slf4jLogHandler implements LogHandler {
        private static final Logger JOLOKIA = LoggerFactory.getLogger("org.jolokia");

        @Override
        public void debug(String message) {
            JOLOKIA.debug(message);
        }

        @Override
        public void info(String message) {
            JOLOKIA.info(message);
        }

        @Override
        public void error(String message, Throwable t) {
            JOLOKIA.error(message, t);
        }

        @Override
        public boolean isDebug() {
            return JOLOKIA.isDebugEnabled();
        }
    }
}
