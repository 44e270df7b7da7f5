package dev.dbagent.jmx.remote;

import dev.dbagent.OperationRefusedException;

import com.sun.net.httpserver.Authenticator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

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
 * {@link JolokiaSettings#policyFile()}. Staging and production refuse to start without
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

    private final org.jolokia.jvmagent.JolokiaServer server;
    private final InetSocketAddress address;
    private boolean closed;

    private JolokiaServer(org.jolokia.jvmagent.JolokiaServer server) {
        this.server = server;
        this.address = server.getAddress();
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
    public static JolokiaServer start(JolokiaSettings settings) {
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
        if (!settings.auth()) {
            LOG.warn("Jolokia on {} starts WITHOUT authentication (environment {})",
                    settings.host(), settings.environment());
        }

        Map<String, String> config = new HashMap<>();
        config.put("host", settings.host());
        config.put("port", Integer.toString(settings.port()));
        config.put(ConfigKey.AGENT_CONTEXT.getKeyValue(), CONTEXT);
        config.put(ConfigKey.DISCOVERY_ENABLED.getKeyValue(), "false");
        config.put(ConfigKey.INCLUDE_STACKTRACE.getKeyValue(), "false");
        config.put(ConfigKey.ALLOW_ERROR_DETAILS.getKeyValue(), "true");
        config.put(ConfigKey.DEBUG.getKeyValue(), "false");
        config.put("executor", "fixed");
        config.put("threadNr", "2");
        config.put("threadNamePrefix", "dbagent-jolokia-");
        if (settings.policyFile() != null) {
            config.put(ConfigKey.POLICY_LOCATION.getKeyValue(),
                    settings.policyFile().toAbsolutePath().toUri().toString());
        }
        Authenticator authenticator = settings.auth()
                ? new BasicAuthenticator("dbagent", settings.user(), settings.password())
                : null;
        try {
            org.jolokia.jvmagent.JolokiaServer server = new org.jolokia.jvmagent.JolokiaServer(
                    new Config(config, authenticator), new Slf4jLogHandler());
            server.start(false);
            JolokiaServer started = new JolokiaServer(server);
            LOG.info("Jolokia listening on {} (auth={}, policy={}, environment={})",
                    started.url(), settings.auth(), settings.policyFile(), settings.environment());
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("Jolokia could not start on " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
    }

    /** @return the base URL, e.g. {@code http://127.0.0.1:8778/jolokia/} */
    public URI url() {
        String host = address.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + address.getPort() + CONTEXT);
    }

    /** @return the bound port */
    public int port() {
        return address.getPort();
    }

    /** Stops the HTTP server and frees the port. Idempotent; never throws. */
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
