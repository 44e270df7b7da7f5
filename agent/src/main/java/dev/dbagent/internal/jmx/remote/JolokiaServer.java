package dev.dbagent.internal.jmx.remote;

import dev.dbagent.OperationRefusedException;
import dev.dbagent.config.Environment;
import dev.dbagent.config.JmxRemoteSettings;
import dev.dbagent.config.JolokiaSettings;
import dev.dbagent.internal.jmx.access.Role;
import dev.dbagent.internal.jmx.access.StartChecks;
import dev.dbagent.internal.jmx.access.Users;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import org.jolokia.jvmagent.JolokiaServerConfig;
import org.jolokia.server.core.config.ConfigKey;
import org.jolokia.server.core.config.SystemPropertyMode;
import org.jolokia.server.core.restrictor.policy.PolicyRestrictor;
import org.jolokia.server.core.service.api.LogHandler;
import org.jolokia.server.core.service.api.Restrictor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jolokia HTTP bridge, started in-process: JMX reads and operations as JSON over HTTP(S) at
 * {@code http[s]://host:port/jolokia/}.
 *
 * <p>Every request passes {@link JolokiaGate} (methods, no JSONP, browser origins, basic
 * authentication, body limit) and then runs as its user, and every MBean action Jolokia performs
 * is authorised by {@link RoleRestrictor} against the same role model as the RMI connector:
 * {@code monitor} reads and runs INFO operations, {@code operator} also ACTION operations;
 * writes, notifications and the JSR-160 proxy are off for everyone. Users come from one
 * configured user (operator) or from the remote-JMX password and access files. Whatever
 * {@link JolokiaSettings#problems(Environment, JmxRemoteSettings)} reports is refused at start.
 *
 * <p>Requests are served by {@link JolokiaSettings#threads()} threads. The JDK HTTP server reads
 * a request's headers on a serving thread, so a client that sends slowly holds one: the
 * {@code sun.net.httpserver.maxReqTime}/{@code maxRspTime} limits (set from
 * {@link JolokiaSettings#requestTimeoutSeconds()} unless the JVM already sets them; they apply to
 * every JDK HTTP server of the JVM) close such connections.
 *
 * <p>Thread-safe. {@link #close()} is idempotent.
 */
public final class JolokiaServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JolokiaServer.class);
    private static final String CONTEXT = "/jolokia/";
    private static final int BACKLOG = 50;
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    /** Jolokia services that must not run: proxy mode, notification back ends, discovery, history. */
    private static final String DISABLED_SERVICES = String.join(",",
            "org.jolokia.service.jsr160.Jsr160RequestHandler",
            "org.jolokia.service.notif.pull.PullNotificationBackend",
            "org.jolokia.service.notif.sse.SseNotificationBackend",
            "org.jolokia.service.discovery.JolokiaDiscovery",
            "org.jolokia.service.discovery.DiscoveryMulticastResponder",
            "org.jolokia.service.history.HistoryMBeanRequestInterceptor");

    private final org.jolokia.jvmagent.JolokiaServer server;
    private final HttpServer http;
    private final ExecutorService executor;
    private final InetSocketAddress address;
    private final String agentId;
    private final boolean https;
    private boolean closed;

    private JolokiaServer(org.jolokia.jvmagent.JolokiaServer server, HttpServer http, ExecutorService executor,
            String agentId, boolean https) {
        this.server = server;
        this.http = http;
        this.executor = executor;
        this.address = http.getAddress();
        this.agentId = agentId;
        this.https = https;
    }

    /**
     * Starts Jolokia.
     *
     * <p>Blocks while binding the port and reading the files (milliseconds).
     *
     * @param settings where and how
     * @param jmxRemote the remote-JMX section, whose users Jolokia shares when it has none of its own
     * @param environment the agent's environment
     * @return the running server
     * @throws OperationRefusedException when {@link JolokiaSettings#problems(Environment, JmxRemoteSettings)}
     *     reports anything
     * @throws UncheckedIOException when the port cannot be bound or the key store cannot be used
     */
    public static JolokiaServer start(JolokiaSettings settings, JmxRemoteSettings jmxRemote, Environment environment) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(jmxRemote, "jmxRemote");
        Objects.requireNonNull(environment, "environment");
        StartChecks.refuseIfAny("Jolokia", settings.problems(environment, jmxRemote));
        Users users = null;
        if (settings.auth()) {
            users = settings.sharesJmxUsers()
                    ? Users.fromFiles(jmxRemote.passwordFile().orElseThrow(), jmxRemote.accessFile().orElseThrow())
                    : Users.single(settings.user().orElseThrow(), settings.password().orElseThrow().reveal());
        } else {
            LOG.warn("Jolokia on {} starts WITHOUT authentication (environment {}): every caller is an operator",
                    settings.host(), environment.key());
        }
        Restrictor filePolicy = settings.policyFile().map(JolokiaServer::policy).orElse(null);
        // a policy without <cors> lets Jolokia accept any origin: we accept none then
        boolean corsOpen = filePolicy != null && filePolicy.isOriginAllowed("https://never.invalid", false);
        Predicate<String> originAllowed = o -> filePolicy != null && !corsOpen && filePolicy.isOriginAllowed(o, false);
        String agentId = "dbagent-jolokia-" + IDS.incrementAndGet();
        RoleRestrictor.register(agentId, new RoleRestrictor.Setup(filePolicy, users == null ? Role.OPERATOR : null));

        Map<String, String> config = new HashMap<>();
        config.put(ConfigKey.AGENT_CONTEXT.getKeyValue(), CONTEXT);
        config.put(ConfigKey.AGENT_ID.getKeyValue(), agentId);
        config.put(ConfigKey.RESTRICTOR_CLASS.getKeyValue(), RoleRestrictor.class.getName());
        config.put(ConfigKey.DISABLED_SERVICES.getKeyValue(), DISABLED_SERVICES);
        config.put(ConfigKey.DISCOVERY_ENABLED.getKeyValue(), "false");
        config.put(ConfigKey.INCLUDE_STACKTRACE.getKeyValue(), "false");
        config.put(ConfigKey.ALLOW_ERROR_DETAILS.getKeyValue(), "true");
        config.put(ConfigKey.DEBUG.getKeyValue(), "false");
        JolokiaGate gate = new JolokiaGate(users, Role.OPERATOR, settings.maxBodyBytes(), originAllowed);

        requestTimeouts(settings.requestTimeoutSeconds());
        // The JDK's HTTP server writes headers and body separately and, unless told otherwise,
        // leaves Nagle's algorithm on: every response then waits for the client's delayed ACK
        // (about 40 ms on Linux). Read once, when the JDK's server is first used; an embedder's
        // own setting wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        HttpServer http = null;
        ExecutorService executor = Executors.newFixedThreadPool(settings.threads(), JolokiaServer::thread);
        try {
            http = bind(settings);
            http.setExecutor(executor);
            // Our own HTTP server, so close() can stop it synchronously and free the port (Jolokia
            // stops a server it created from a background thread, some time later).
            org.jolokia.jvmagent.JolokiaServer server = new org.jolokia.jvmagent.JolokiaServer(
                    http, new Config(config, gate), new Slf4jLogHandler());
            server.start(false);
            http.start();
            JolokiaServer started = new JolokiaServer(server, http, executor, agentId, settings.ssl());
            LOG.info("Jolokia listening on {} (auth={}, users={}, policy={}, threads={}, maxBodyBytes={},"
                    + " environment={})", started.url(), settings.auth(), users == null ? "anonymous operator" : users,
                    settings.policyFile().orElse(null), settings.threads(), settings.maxBodyBytes(), environment.key());
            return started;
        } catch (IOException e) {
            cleanUp(http, executor, agentId);
            throw new UncheckedIOException("Jolokia could not start on " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            cleanUp(http, executor, agentId);
            throw e;
        }
    }

    private static void cleanUp(HttpServer http, ExecutorService executor, String agentId) {
        if (http != null) {
            http.stop(0);
        }
        executor.shutdownNow();
        RoleRestrictor.unregister(agentId);
    }

    private static HttpServer bind(JolokiaSettings settings) throws IOException {
        InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port());
        if (!settings.ssl()) {
            return HttpServer.create(at, BACKLOG);
        }
        SSLContext tls;
        try {
            KeyStore keys = StartChecks.keyStore(settings.keystore().orElseThrow(),
                    settings.keystorePassword().orElseThrow());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, settings.keystorePassword().orElseThrow().reveal().toCharArray());
            tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), null, null);
        } catch (GeneralSecurityException e) {
            throw new IOException("dbagent.jolokia.keystore " + settings.keystore().orElseThrow()
                    + " cannot be used (" + e.getClass().getSimpleName() + ")");
        }
        HttpsServer https = HttpsServer.create(at, BACKLOG);
        https.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                params.setSSLParameters(p);
            }
        });
        return https;
    }

    private static Restrictor policy(java.nio.file.Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new PolicyRestrictor(in);
        } catch (IOException e) {
            throw new OperationRefusedException("dbagent.jolokia.policyFile " + file + " cannot be read: "
                    + e.getMessage());
        }
    }

    private static void requestTimeouts(int seconds) {
        for (String key : new String[] {"sun.net.httpserver.maxReqTime", "sun.net.httpserver.maxRspTime"}) {
            if (System.getProperty(key) == null) {
                System.setProperty(key, Integer.toString(seconds));
            }
        }
    }

    private static Thread thread(Runnable r) {
        Thread t = new Thread(r, "dbagent-jolokia-" + THREAD_IDS.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    /** @return the base URL, e.g. {@code https://127.0.0.1:8778/jolokia/} */
    public URI url() {
        String host = RemoteJmxServer.urlHost(address.getAddress().getHostAddress());
        return URI.create((https ? "https" : "http") + "://" + host + ":" + address.getPort() + CONTEXT);
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
        RoleRestrictor.unregister(agentId);
        LOG.info("Jolokia on port {} stopped", address.getPort());
    }

    @Override
    public String toString() {
        return "JolokiaServer[" + url() + "]";
    }

    /** Jolokia's configuration with our gate as its authenticator. */
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
