package dev.dbagent.pooler;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A real {@code pgbouncer} process on loopback in transaction pooling mode, in front of one
 * PostgreSQL server, for tests. Its ini file and user list are written to a temporary directory
 * that {@link #close()} deletes. As root it runs as {@code nobody} through {@code setpriv}
 * (pgbouncer refuses to run as root), as the embedded PostgreSQL does.
 *
 * <p>The user list holds the server's password in clear text (pgbouncer needs it to log in to the
 * server with SCRAM); the file is readable by pgbouncer's user only and never printed.
 *
 * <p>Not thread-safe; one test owns it.
 */
final class PgBouncer implements AutoCloseable {
    private static final String OS_USER = "nobody";

    private final Path directory;
    private final Process process;
    private final int port;

    private PgBouncer(Path directory, Process process, int port) {
        this.directory = directory;
        this.process = process;
        this.port = port;
    }

    /**
     * @return the {@code pgbouncer} executable on PATH, or in {@code /usr/sbin} or
     *     {@code /usr/local/sbin} (where Debian's package puts it, often not on a user's PATH)
     */
    static Optional<Path> binary() {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
        return dirs.stream().filter(d -> !d.isBlank()).map(d -> Path.of(d, "pgbouncer"))
                .filter(Files::isExecutable).findFirst();
    }

    /**
     * Starts pgbouncer and waits until it accepts connections.
     *
     * @param serverHost the PostgreSQL host
     * @param serverPort the PostgreSQL port
     * @param user the one user clients and pgbouncer log in as
     * @param password that user's password
     * @param ignoredStartupParameters {@code ignore_startup_parameters}, comma-separated
     * @param databases pgbouncer database name to {@code "dbname=<db> pool_size=<n>"}-style
     *     connection settings (host and port are added)
     * @return the running pgbouncer
     * @throws IllegalStateException if it is not installed, cannot start, or does not listen within 30 s
     */
    static PgBouncer start(String serverHost, int serverPort, String user, String password,
            String ignoredStartupParameters, Map<String, String> databases) throws IOException {
        Path exe = binary().orElseThrow(() -> new IllegalStateException("pgbouncer is not installed"));
        Path dir = Files.createTempDirectory("dbagent-pgbouncer-");
        int port = freePort();
        StringBuilder ini = new StringBuilder("[databases]\n");
        databases.forEach((name, spec) -> ini.append(name).append(" = host=").append(serverHost).append(" port=")
                .append(serverPort).append(' ').append(spec).append('\n'));
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listen_addr", "127.0.0.1");
        settings.put("listen_port", Integer.toString(port));
        settings.put("unix_socket_dir", "");
        settings.put("auth_type", "scram-sha-256");
        settings.put("auth_file", dir.resolve("userlist.txt").toString());
        settings.put("pool_mode", "transaction");
        settings.put("default_pool_size", "2");
        settings.put("max_client_conn", "200");
        // pgJDBC sends extra_float_digits at start-up; pgbouncer refuses parameters it does not know
        settings.put("ignore_startup_parameters", ignoredStartupParameters);
        settings.put("logfile", dir.resolve("pgbouncer.log").toString());
        settings.put("server_login_retry", "1");
        ini.append("\n[pgbouncer]\n");
        settings.forEach((k, v) -> ini.append(k).append(" = ").append(v).append('\n'));
        Path iniFile = dir.resolve("pgbouncer.ini");
        Files.writeString(iniFile, ini.toString(), StandardCharsets.UTF_8);
        Path users = dir.resolve("userlist.txt");
        Files.writeString(users, quote(user) + " " + quote(password) + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));

        List<String> command = new ArrayList<>();
        if (isRoot()) {
            chown(dir);
            command.addAll(List.of("setpriv", "--reuid=" + OS_USER, "--regid=nogroup", "--clear-groups", "--"));
        }
        command.add(exe.toString());
        command.add(iniFile.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        PgBouncer bouncer = new PgBouncer(dir, p, port);
        try {
            Awaitility.await("pgbouncer listening on 127.0.0.1:" + port).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50)).until(() -> {
                        if (!p.isAlive()) {
                            throw new IllegalStateException("pgbouncer exited with " + p.exitValue() + ":\n"
                                    + bouncer.log());
                        }
                        return accepts(port);
                    });
        } catch (RuntimeException e) {
            bouncer.close();
            throw e;
        }
        return bouncer;
    }

    /** @return the port pgbouncer listens on (127.0.0.1) */
    int port() {
        return port;
    }

    /**
     * @param database a pgbouncer database name from {@link #start}
     * @return a JDBC URL of that database through pgbouncer
     */
    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** @return pgbouncer's log and output so far, for failure messages */
    String log() {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("pgbouncer.log", "stdout.log")) {
            try {
                sb.append(Files.readString(directory.resolve(f), StandardCharsets.UTF_8));
            } catch (IOException e) {
                // not written yet
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    private static String quote(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    private static void chown(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.toList()) {
                Process p = new ProcessBuilder("chown", OS_USER + ":nogroup", f.toString()).redirectErrorStream(true)
                        .start();
                try {
                    if (p.waitFor() != 0) {
                        throw new IOException("cannot give " + f + " to " + OS_USER + ": "
                                + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
    }
}
