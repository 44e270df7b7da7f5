package dev.dbagent.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server started from zonky's embedded binaries (unpacked from the classpath), for
 * the demo and for tests. Works as an ordinary user and as root: PostgreSQL refuses to run as root,
 * so when the JVM is root every server process ({@code initdb}, {@code pg_ctl}, {@code postgres},
 * {@code pg_ctl}) runs as an unprivileged OS user (default {@code nobody}) through
 * {@code setpriv}.
 *
 * <p>The server listens on 127.0.0.1 only, with no Unix socket, and requires a password
 * (scram-sha-256) for TCP connections. {@link #close()} stops it and deletes its directory; a
 * shutdown hook does the same when the JVM exits or is interrupted, and servers left behind by a
 * JVM that was killed are reaped the next time any server starts.
 *
 * <p>Thread-safe: lifecycle methods are synchronized. {@link #start()} and {@link #stop()} block
 * until the server is up or down (at most the configured start timeout).
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

    private final Binaries binaries;
    private final Path runDirectory;
    private final Path dataDirectory;
    private final Path logFile;
    private final String user;
    private final String password;
    private final int port;
    private final Duration startTimeout;
    private final boolean durable;
    private final Path tlsCertificate;
    private final Path tlsKey;
    private final Thread shutdownHook;
    private boolean running;
    private boolean closed;
    /** Server processes left by a postmaster that was killed; they must exit before a restart. */
    private final List<ProcessHandle> orphans = new ArrayList<>();

    private EmbeddedPostgres(Builder b, Binaries binaries, Path runDirectory, int port) {
        this.binaries = binaries;
        this.runDirectory = runDirectory;
        this.dataDirectory = runDirectory.resolve("data");
        this.logFile = runDirectory.resolve("server.log");
        this.user = b.user;
        this.password = b.password != null ? b.password : randomPassword();
        this.port = port;
        this.startTimeout = b.startTimeout;
        this.durable = b.durable;
        this.tlsCertificate = b.tlsCertificate;
        this.tlsKey = b.tlsKey;
        this.shutdownHook = new Thread(this::closeQuietly, "dbagent-embedded-postgres-shutdown");
    }

    /** @return a builder with defaults: free port, superuser {@code postgres}, random password */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the address the server listens on, always {@code 127.0.0.1} */
    public String host() {
        return "127.0.0.1";
    }

    /** @return the TCP port */
    public int port() {
        return port;
    }

    /** @return the superuser name */
    public String user() {
        return user;
    }

    /** @return the superuser password; never log it */
    public String password() {
        return password;
    }

    /** @return the server's data directory */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * @param database a database name
     * @return {@code jdbc:postgresql://127.0.0.1:<port>/<database>} (no credentials in it)
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /**
     * @return true while the server's postmaster process is alive (also false after it was
     *     killed from outside)
     */
    public synchronized boolean isRunning() {
        return running && postmaster().map(ProcessHandle::isAlive).orElse(false);
    }

    /** @return true if the server was built durable ({@link Builder#durable(boolean)}) */
    public boolean isDurable() {
        return durable;
    }

    /**
     * @return the postmaster's process, if its pid file names a live process
     */
    public synchronized Optional<ProcessHandle> postmaster() {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty() ? Optional.empty()
                    : ProcessHandle.of(Long.parseLong(lines.get(0).trim())).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // being written or removed right now
        }
    }

    /**
     * Kills the postmaster with SIGKILL, as a crash or the OOM killer would: no shutdown, no
     * checkpoint. Its backends notice and exit on their own; {@link #start()} waits for them and
     * then runs crash recovery, which keeps every acknowledged commit when the server is
     * {@linkplain Builder#durable(boolean) durable}.
     *
     * @throws IllegalStateException if the server is not running
     */
    public synchronized void kill() {
        ProcessHandle pm = postmaster().orElseThrow(() ->
                new IllegalStateException("embedded PostgreSQL on port " + port + " is not running"));
        orphans.addAll(pm.descendants().toList());
        pm.destroyForcibly();
        pm.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(x -> pm).join();
        running = false;
    }

    /**
     * Starts a stopped (or killed) server again, keeping its data. Blocks until it accepts
     * connections. After {@link #kill()} (or a SIGKILL from outside) it first waits for the dead
     * postmaster's processes to exit, since PostgreSQL refuses to start while any of them still
     * holds its shared memory.
     *
     * @throws IllegalStateException if closed or if the server does not come up in time
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("embedded PostgreSQL on port " + port + " is closed");
        }
        if (isRunning()) {
            return;
        }
        awaitOrphans();
        run(List.of(binaries.bin("pg_ctl").toString(), "-D", dataDirectory.toString(), "-l", logFile.toString(),
                "-w", "-t", Long.toString(startTimeout.toSeconds()), "start"), startTimeout.plusSeconds(5));
        running = true;
    }

    /**
     * Stops the server (fast shutdown: open sessions are terminated), keeping its data so that
     * {@link #start()} can bring it back. Blocks until it is down.
     */
    public synchronized void stop() {
        if (!isRunning()) {
            running = false; // killed from outside: nothing to stop, start() will recover it
            return;
        }
        run(List.of(binaries.bin("pg_ctl").toString(), "-D", dataDirectory.toString(), "-m", "fast", "-w",
                "-t", "60", "stop"), Duration.ofSeconds(70));
        running = false;
    }

    /** Waits for processes of a killed postmaster to exit; kills those that do not within 10 s. */
    private void awaitOrphans() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : orphans) {
            long left = deadline - System.nanoTime();
            try {
                h.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                h.destroyForcibly();
                h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(x -> h).join();
            } catch (java.util.concurrent.ExecutionException e) {
                // gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the old server's processes", e);
            }
        }
        orphans.clear();
    }

    /**
     * Creates a database owned by the superuser.
     *
     * @param name database name, letters, digits and underscores only
     * @throws IllegalArgumentException for any other name
     * @throws IllegalStateException if the server refuses
     */
    public void createDatabase(String name) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("database name must match [A-Za-z_][A-Za-z0-9_]*, but was '" + name + "'");
        }
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * Opens a plain JDBC connection as the superuser.
     *
     * @param database database name
     * @return a new connection; the caller closes it
     * @throws SQLException if the server cannot be reached
     */
    public Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    /**
     * Creates and starts a hot standby of this server: a file-level base backup of it,
     * replaying its WAL continuously, read-only, with the same credentials.
     *
     * @param applicationName the standby's name in {@code pg_stat_replication}
     * @return the running replica; close it before or after this server
     * @throws IllegalStateException if the base backup or the start fails
     */
    public synchronized EmbeddedPostgres startReplica(String applicationName) {
        if (!running) {
            throw new IllegalStateException("primary on port " + port + " is not running");
        }
        Builder rb = new Builder().user(user).password(password).startTimeout(startTimeout);
        Path dir = Runs.newRunDirectory();
        int replicaPort = freePort();
        EmbeddedPostgres replica = new EmbeddedPostgres(rb, binaries, dir, replicaPort);
        try {
            baseBackup(replica.dataDirectory);
            Runs.handToRecursively(dir, binaries.osUser());
            String conninfo = "host=" + host() + " port=" + port + " user=" + user + " password=" + password
                    + " application_name=" + applicationName;
            appendConfig(replica.dataDirectory.resolve("postgresql.auto.conf"), Map.of(
                    "primary_conninfo", "'" + conninfo.replace("'", "''") + "'"));
            appendConfig(replica.dataDirectory.resolve("postgresql.conf"), Map.of("port", Integer.toString(replicaPort)));
            replica.registerAndStart();
            return replica;
        } catch (RuntimeException e) {
            replica.closeQuietly();
            throw e;
        }
    }

    /**
     * A base backup through the low-level backup API, copied file by file. The zonky binaries ship
     * no pg_basebackup; the replica streams the WAL it needs from the primary afterwards
     * ({@code wal_keep_size} keeps it there).
     */
    private void baseBackup(Path target) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("SELECT pg_backup_start('dbagent-replica', true)");
            Files.createDirectories(target);
            Files.setPosixFilePermissions(target, Binaries.perms("rwx------"));
            Set<String> emptied = Set.of("pg_wal", "pg_replslot", "pg_stat_tmp", "pg_dynshmem", "pg_notify",
                    "pg_serial", "pg_snapshots", "pg_subtrans");
            Set<String> skipped = Set.of("postmaster.pid", "postmaster.opts", "backup_label", "tablespace_map",
                    "standby.signal", "recovery.signal");
            try (var files = Files.walk(dataDirectory)) {
                for (Path src : (Iterable<Path>) files::iterator) {
                    Path rel = dataDirectory.relativize(src);
                    if (rel.toString().isEmpty()) {
                        continue;
                    }
                    String top = rel.getName(0).toString();
                    Path dst = target.resolve(rel.toString());
                    if (Files.isDirectory(src)) {
                        Files.createDirectories(dst);
                    } else if (!skipped.contains(top) && !(emptied.contains(top) && rel.getNameCount() > 1)) {
                        try {
                            Files.copy(src, dst, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                        } catch (java.nio.file.NoSuchFileException vanished) {
                            // removed by the server while we copied; the WAL replay covers it
                        }
                    }
                }
            }
            try (var rs = s.executeQuery("SELECT labelfile, spcmapfile FROM pg_backup_stop(true)")) {
                rs.next();
                Files.writeString(target.resolve("backup_label"), rs.getString(1), StandardCharsets.UTF_8);
                String map = rs.getString(2);
                if (map != null && !map.isEmpty()) {
                    Files.writeString(target.resolve("tablespace_map"), map, StandardCharsets.UTF_8);
                }
            }
            Files.createFile(target.resolve("standby.signal"));
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("base backup of 127.0.0.1:" + port + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Stops the server at once (immediate shutdown) and deletes its directory. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (isRunning()) {
                run(List.of(binaries.bin("pg_ctl").toString(), "-D", dataDirectory.toString(), "-m", "immediate",
                        "-w", "-t", "30", "stop"), Duration.ofSeconds(40));
            }
        } catch (RuntimeException e) {
            LOG.warn("embedded PostgreSQL on port {} did not stop cleanly: {}", port, e.getMessage());
            Runs.killPostmaster(dataDirectory);
        } finally {
            running = false;
            orphans.forEach(ProcessHandle::destroyForcibly);
            Runs.deleteTree(runDirectory);
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is what is running us
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedPostgres[127.0.0.1:" + port + ", user=" + user + ", running=" + running + "]";
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.warn("closing embedded PostgreSQL failed: {}", e.getMessage());
        }
    }

    private void initialize(Map<String, String> settings) {
        Runs.prepareForServer(runDirectory, binaries.osUser());
        Path pwFile = runDirectory.resolve("pwfile");
        try {
            Files.writeString(pwFile, password + "\n", StandardCharsets.UTF_8);
            Runs.handTo(pwFile, binaries.osUser());
            run(List.of(binaries.bin("initdb").toString(), "-D", dataDirectory.toString(), "-U", user,
                    "--pwfile=" + pwFile, "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
                    "--encoding=UTF8", "--locale=C", "--no-sync"), Duration.ofMinutes(2));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write password file in " + runDirectory, e);
        } finally {
            Runs.deleteQuietly(pwFile);
        }
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("port", Integer.toString(port));
        conf.put("listen_addresses", "'127.0.0.1'");
        conf.put("unix_socket_directories", "''");
        conf.put("max_connections", "300");
        // fast by default; durable where a test counts acknowledged writes across a crash
        conf.put("fsync", durable ? "on" : "off");
        conf.put("synchronous_commit", durable ? "on" : "off");
        conf.put("full_page_writes", durable ? "on" : "off");
        conf.put("wal_level", "replica");
        conf.put("max_wal_senders", "10");
        conf.put("hot_standby", "on");
        conf.put("hot_standby_feedback", "on");
        conf.put("wal_keep_size", "'256MB'");
        conf.put("log_min_messages", "warning");
        if (tlsCertificate != null) {
            installTls(conf);
        }
        conf.putAll(settings);
        appendConfig(dataDirectory.resolve("postgresql.conf"), conf);
    }

    /**
     * Copies the certificate and key into the data directory (the key readable by the server's
     * user only, as PostgreSQL demands), turns {@code ssl} on, and replaces the TCP rules of
     * {@code pg_hba.conf} so that only TLS connections are accepted.
     */
    private void installTls(Map<String, String> conf) {
        try {
            Path crt = dataDirectory.resolve("server.crt");
            Path key = dataDirectory.resolve("server.key");
            Files.copy(tlsCertificate, crt, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(tlsKey, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(key, Binaries.perms("rw-------"));
            Runs.handTo(crt, binaries.osUser());
            Runs.handTo(key, binaries.osUser());
            Files.writeString(dataDirectory.resolve("pg_hba.conf"),
                    "hostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot install the TLS certificate: " + e.getMessage(), e);
        }
        conf.put("ssl", "on");
        conf.put("ssl_cert_file", "'server.crt'");
        conf.put("ssl_key_file", "'server.key'");
    }

    private void registerAndStart() {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        start();
    }

    private static void appendConfig(Path file, Map<String, String> settings) {
        StringBuilder sb = new StringBuilder("\n# dbagent embedded\n");
        settings.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        try {
            Files.writeString(file, sb.toString(), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }

    private void run(List<String> command, Duration timeout) {
        List<String> full = new ArrayList<>(binaries.asServerUser());
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(runDirectory.resolve("commands.log").toFile()));
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("LD_LIBRARY_PATH", binaries.lib().toString());
        String name = Path.of(command.get(0)).getFileName().toString();
        try {
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(name + " did not finish within " + timeout.toSeconds() + " s" + logTail());
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(name + " failed with exit code " + p.exitValue() + logTail());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + name, e);
        }
    }

    private String logTail() {
        StringBuilder sb = new StringBuilder();
        for (Path f : List.of(runDirectory.resolve("commands.log"), logFile)) {
            if (Files.isReadable(f)) {
                try {
                    List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                    sb.append("\n--- ").append(f.getFileName()).append(" (last lines) ---\n");
                    lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> sb.append(l).append('\n'));
                } catch (IOException ignored) {
                    // the log is a courtesy; the exit code already says it failed
                }
            }
        }
        return sb.toString().replace(password, "****");
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free TCP port on 127.0.0.1", e);
        }
    }

    private static String randomPassword() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Configures and starts an {@link EmbeddedPostgres}. Not thread-safe. */
    public static final class Builder {
        private int port;
        private String user = "postgres";
        private String password;
        private String osUser = "nobody";
        private Duration startTimeout = Duration.ofSeconds(60);
        private boolean durable;
        private Path tlsCertificate;
        private Path tlsKey;
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {}

        /**
         * @param port TCP port on 127.0.0.1; 0 (default) picks a free one
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, but was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param user superuser name, default {@code postgres}
         * @return this builder
         */
        public Builder user(String user) {
            this.user = Objects.requireNonNull(user, "user");
            return this;
        }

        /**
         * @param password superuser password; default a random one
         * @return this builder
         */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * @param osUser the OS user that runs the server when the JVM is root (default {@code nobody})
         * @return this builder
         */
        public Builder osUser(String osUser) {
            this.osUser = Objects.requireNonNull(osUser, "osUser");
            return this;
        }

        /**
         * @param timeout how long start may take before it fails (default 60 s)
         * @return this builder
         */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * @param value true for {@code fsync}, {@code synchronous_commit} and
         *     {@code full_page_writes} on, so that a commit the server acknowledged survives
         *     {@link EmbeddedPostgres#kill()}; false (default) turns them off for speed, and a
         *     crash may then lose the last acknowledged commits
         * @return this builder
         */
        public Builder durable(boolean value) {
            this.durable = value;
            return this;
        }

        /**
         * Serves TLS only: {@code ssl=on} with this certificate and key, and TCP connections
         * without TLS refused ({@code hostnossl ... reject}).
         *
         * @param certificate PEM file of the server certificate (chain)
         * @param privateKey PEM file of its private key (PKCS#8 or PKCS#1, unencrypted)
         * @return this builder
         */
        public Builder tls(Path certificate, Path privateKey) {
            this.tlsCertificate = Objects.requireNonNull(certificate, "certificate");
            this.tlsKey = Objects.requireNonNull(privateKey, "privateKey");
            return this;
        }

        /**
         * @param name a {@code postgresql.conf} setting
         * @param value its value, quoted as {@code postgresql.conf} wants it
         * @return this builder
         */
        public Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /**
         * Unpacks the binaries (once per machine and version), runs {@code initdb} and starts the
         * server. Blocks until it accepts connections.
         *
         * @return the running server
         * @throws IllegalStateException if the binaries cannot be unpacked or the server cannot start
         *     (the message carries the end of the server log)
         */
        public EmbeddedPostgres start() {
            Runs.reapAbandoned();
            Binaries binaries = Binaries.unpack(osUser);
            EmbeddedPostgres pg = new EmbeddedPostgres(this, binaries, Runs.newRunDirectory(),
                    port == 0 ? freePort() : port);
            try {
                pg.initialize(settings);
                pg.registerAndStart();
                LOG.info("embedded PostgreSQL started on 127.0.0.1:{}{}", pg.port,
                        binaries.asServerUser().isEmpty() ? "" : " as OS user " + osUser);
                return pg;
            } catch (RuntimeException e) {
                pg.closeQuietly();
                throw e;
            }
        }
    }
}
