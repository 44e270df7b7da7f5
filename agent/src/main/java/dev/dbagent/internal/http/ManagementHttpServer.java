package dev.dbagent.internal.http;

import com.codahale.metrics.MetricRegistry;
import dev.dbagent.DbAgentException;
import dev.dbagent.config.HttpSettings;
import dev.dbagent.config.Secret;
import dev.dbagent.health.HealthMonitor;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's management HTTP endpoint, on a port of its own:
 *
 * <ul>
 *   <li>{@code GET /health/live} and {@code GET /health/ready}: 200 or 503 with a small JSON body
 *       (see {@link Probes}); never authenticated, never more than check names and states.
 *   <li>{@code GET /metrics}: the agent's metrics in the Prometheus text format, or OpenMetrics
 *       when the {@code Accept} header asks for it ({@link PrometheusMetrics}); HTTP basic
 *       authentication when configured.
 * </ul>
 *
 * <p>A deliberately small HTTP/1.1 server over a server socket (TLS with the configured keystore):
 * only GET and HEAD, no request body is ever read, one request per connection
 * ({@code Connection: close}). Its limits are its own rather than JVM-wide switches: a fixed number
 * of request threads with a short queue (a connection that finds both full is closed at once), a
 * deadline for receiving the request — TLS handshake and headers included — and a cap of 8 KiB on
 * the request head.
 *
 * <p>Thread-safe. {@link #close()} stops accepting, interrupts request threads and waits briefly
 * for them; it is idempotent.
 */
public final class ManagementHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementHttpServer.class);
    private static final int MAX_HEAD_BYTES = 8 * 1024;
    private static final int QUEUE = 16;
    private static final Map<Integer, String> REASONS = Map.of(200, "OK", 400, "Bad Request", 401, "Unauthorized",
            404, "Not Found", 405, "Method Not Allowed", 408, "Request Timeout", 431,
            "Request Header Fields Too Large", 500, "Internal Server Error", 503, "Service Unavailable");

    private final HttpSettings settings;
    private final String agent;
    private final Probes probes;
    private final PrometheusMetrics metrics;
    private final ServerSocket server;
    private final ThreadPoolExecutor workers;
    private final Thread acceptor;
    private final URI url;
    private volatile boolean closed;

    private ManagementHttpServer(HttpSettings settings, String agent, Probes probes, PrometheusMetrics metrics,
            ServerSocket server) {
        this.settings = settings;
        this.agent = agent;
        this.probes = probes;
        this.metrics = metrics;
        this.server = server;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(settings.threads(), settings.threads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "dbagent-http-" + agent + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        String host = server.getInetAddress().isAnyLocalAddress() ? settings.host() : server.getInetAddress().getHostAddress();
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        this.url = URI.create((settings.tls() ? "https" : "http") + "://" + host + ":" + server.getLocalPort() + "/");
        this.acceptor = new Thread(this::acceptLoop, "dbagent-http-" + agent + "-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Binds and starts serving.
     *
     * @param settings the endpoint's settings (validated by the config loader)
     * @param agent the agent name
     * @param running whether the agent is running; must not block
     * @param health the agent's health monitor, null while there is none; its presence is what
     *     "the agent runs" means to the probes (the agent's own lock is held while it stops this server)
     * @param healthInterval the health schedule's interval, which tells how old a report may get
     * @param clock the agent's clock
     * @param startedAt when the agent started
     * @param registry the agent's metric registry
     * @return the running server
     * @throws DbAgentException if the address cannot be bound or the keystore cannot be used
     */
    public static ManagementHttpServer start(HttpSettings settings, String agent, BooleanSupplier running,
            Supplier<HealthMonitor> health, Duration healthInterval, Clock clock, Instant startedAt,
            MetricRegistry registry) {
        Objects.requireNonNull(settings, "settings");
        Probes probes = new Probes(running, health, healthInterval, settings.readyWhenDegraded(), clock, startedAt);
        PrometheusMetrics metrics = new PrometheusMetrics(registry, agent);
        ServerSocket socket;
        try {
            socket = settings.tls() ? tlsSocket(settings) : new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port()), 50);
        } catch (IOException | GeneralSecurityException e) {
            throw new DbAgentException("agent '" + agent + "': management HTTP endpoint cannot listen on "
                    + settings.host() + ":" + settings.port() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
        ManagementHttpServer s = new ManagementHttpServer(settings, agent, probes, metrics, socket);
        s.acceptor.start();
        LOG.info("agent '{}': management HTTP endpoint at {} (/health/live, /health/ready, /metrics{})", agent, s.url,
                settings.auth() ? " with authentication" : "");
        return s;
    }

    private static ServerSocket tlsSocket(HttpSettings settings) throws IOException, GeneralSecurityException {
        char[] password = settings.keystorePassword().map(Secret::reveal).orElse("").toCharArray();
        KeyStore keys = KeyStore.getInstance(settings.keystoreType().toUpperCase(Locale.ROOT));
        try (InputStream in = Files.newInputStream(settings.keystore().orElseThrow())) {
            keys.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket socket = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
        socket.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        return socket;
    }

    /** @return the endpoint's base address, e.g. {@code http://127.0.0.1:9464/} */
    public URI url() {
        return url;
    }

    /** Stops accepting and serving. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing the management HTTP socket", e);
        }
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(settings.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                LOG.warn("agent '{}': management HTTP request threads did not stop in time", agent);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("agent '{}': management HTTP accept failed: {}", agent, e.toString());
                }
                continue;
            }
            try {
                workers.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                // every thread busy and the queue full: shed the connection rather than queue without bound
                closeQuietly(client);
            }
        }
    }

    /** A parsed request head. */
    private record Request(String method, String path, Map<String, String> headers) {}

    /** Thrown when the request cannot be read; carries the status to answer with. */
    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private void serve(Socket client) {
        try (client) {
            long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
            Request request;
            try {
                client.setSoTimeout(remainingMillis(deadline));
                if (client instanceof SSLSocket tls) {
                    tls.startHandshake();
                }
                request = read(client, deadline);
            } catch (BadRequest e) {
                respond(client, "GET", e.status, "text/plain; charset=utf-8", e.getMessage() + "\n", Map.of());
                return;
            } catch (SocketTimeoutException e) {
                respond(client, "GET", 408, "text/plain; charset=utf-8", "request not received in time\n", Map.of());
                return;
            }
            handle(client, request);
        } catch (IOException e) {
            LOG.debug("agent '{}': management HTTP connection ended: {}", agent, e.toString());
        } catch (RuntimeException e) {
            LOG.warn("agent '{}': management HTTP request failed", agent, e);
        }
    }

    private void handle(Socket client, Request request) throws IOException {
        String method = request.method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            respond(client, "GET", 405, "text/plain; charset=utf-8", "only GET and HEAD\n", Map.of("Allow", "GET, HEAD"));
            return;
        }
        Probes.Answer answer;
        switch (request.path()) {
            case "/health/live" -> answer = probes.live();
            case "/health/ready" -> answer = probes.ready();
            case "/metrics" -> {
                if (settings.auth() && !authorized(request.headers().get("authorization"))) {
                    LOG.info("agent '{}': /metrics authentication failed from {}", agent, client.getInetAddress().getHostAddress());
                    respond(client, method, 401, "text/plain; charset=utf-8", "authentication required\n",
                            Map.of("WWW-Authenticate", "Basic realm=\"dbagent\", charset=\"UTF-8\""));
                    return;
                }
                PrometheusMetrics.Scrape scrape;
                try {
                    scrape = metrics.scrape(request.headers().get("accept"));
                } catch (RuntimeException e) {
                    LOG.warn("agent '{}': metrics scrape failed", agent, e);
                    respond(client, method, 500, "text/plain; charset=utf-8", "scrape failed\n", Map.of());
                    return;
                }
                respond(client, method, 200, scrape.contentType(), scrape.body(), Map.of());
                return;
            }
            default -> {
                respond(client, method, 404, "text/plain; charset=utf-8",
                        "not found; try /health/live, /health/ready or /metrics\n", Map.of());
                return;
            }
        }
        respond(client, method, answer.status(), "application/json", answer.json() + "\n", Map.of());
    }

    /** Compares user and password in constant time; a missing or malformed header is a failure. */
    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        boolean user = MessageDigest.isEqual(decoded.substring(0, colon).getBytes(StandardCharsets.UTF_8),
                settings.user().orElse("").getBytes(StandardCharsets.UTF_8));
        boolean password = MessageDigest.isEqual(decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8),
                settings.password().map(Secret::reveal).orElse("").getBytes(StandardCharsets.UTF_8));
        return user & password;
    }

    /** Reads the request line and headers, never the body. */
    private static Request read(Socket client, long deadline) throws IOException, BadRequest {
        InputStream in = new BufferedInputStream(client.getInputStream(), 1024);
        String line = readLine(client, in, deadline, new int[] {0});
        int[] used = {line.length()};
        String[] parts = line.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new BadRequest(400, "malformed request line");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = readLine(client, in, deadline, used); !h.isEmpty(); h = readLine(client, in, deadline, used)) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
        }
        String target = parts[1];
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        return new Request(parts[0], path, headers);
    }

    private static String readLine(Socket client, InputStream in, long deadline, int[] used) throws IOException, BadRequest {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            client.setSoTimeout(remainingMillis(deadline));
            int b = in.read();
            if (b < 0) {
                throw new BadRequest(400, "incomplete request");
            }
            if (++used[0] > MAX_HEAD_BYTES) {
                throw new BadRequest(431, "request head larger than " + MAX_HEAD_BYTES + " bytes");
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("request deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static void respond(Socket client, String method, int status, String contentType, String body,
            Map<String, String> extra) throws IOException {
        respond(client, method, status, contentType, body.getBytes(StandardCharsets.UTF_8), extra);
    }

    private static void respond(Socket client, String method, int status, String contentType, byte[] body,
            Map<String, String> extra) throws IOException {
        StringBuilder head = new StringBuilder(256).append("HTTP/1.1 ").append(status).append(' ')
                .append(REASONS.getOrDefault(status, "Status")).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Cache-Control: no-store\r\n")
                .append("Connection: close\r\n");
        extra.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        OutputStream out = client.getOutputStream();
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!method.equals("HEAD")) {
            out.write(body);
        }
        out.flush();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do: the connection is being shed
        }
    }

    @Override
    public String toString() {
        return "ManagementHttpServer[" + agent + ", " + url + "]";
    }
}
