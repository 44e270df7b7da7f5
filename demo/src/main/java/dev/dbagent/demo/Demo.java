package dev.dbagent.demo;

import dev.dbagent.Catalogue;
import dev.dbagent.DatabaseAgent;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.schema.DomainSchema;
import dev.dbagent.testing.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;

/**
 * The demo: an agent named {@code demo} on an embedded PostgreSQL, with the domain schema
 * migrated, remote JMX and Jolokia on loopback (authenticated), and a light workload so every
 * MBean shows life. Stops cleanly on Ctrl-C (SIGINT/SIGTERM), leaving no processes.
 *
 * <p>Ports: {@code DBAGENT_DEMO_JMX_PORT} (default 9010), {@code DBAGENT_DEMO_JOLOKIA_PORT}
 * (default 8778). Credentials and security files are written to {@code DBAGENT_DEMO_HOME}
 * (default {@code ~/.cache/dbagent/demo}), private to the user; a second demo with the same home
 * refuses to start while the first runs ({@code demo.lock}) and leaves its files alone. No
 * password is printed or put on a command line: dbctl reads a credentials file, curl a netrc
 * file. The Jolokia policy is read from {@code jmx-config/jolokia-access.xml} (the demo runs
 * from the repository root).
 */
public final class Demo {
    private Demo() {}

    /**
     * @param args ignored
     * @throws Exception if the demo cannot start
     */
    public static void main(String[] args) throws Exception {
        int jmxPort = Integer.parseInt(env("DBAGENT_DEMO_JMX_PORT", "9010"));
        int jolokiaPort = Integer.parseInt(env("DBAGENT_DEMO_JOLOKIA_PORT", "8778"));
        Path home = Path.of(env("DBAGENT_DEMO_HOME", System.getProperty("user.home") + "/.cache/dbagent/demo"));
        Path policy = Path.of(env("DBAGENT_DEMO_POLICY", "jmx-config/jolokia-access.xml")).toAbsolutePath();
        // one demo per home: a second one must not overwrite the running one's credentials
        demoLock = lock(home);
        if (demoLock == null) {
            System.err.println("dbagent demo: another demo is running with DBAGENT_DEMO_HOME=" + home
                    + " (it holds " + home.resolve(LOCK_FILE) + "); stop it first, or start this one with another"
                    + " DBAGENT_DEMO_HOME and other ports");
            System.exit(1);
        }
        Credentials creds = Credentials.write(home);
        // for scripts/demo, which checks it before rebuilding what this JVM runs from
        Path pidFile = home.resolve(PID_FILE);
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);

        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        pg.createDatabase("civic");
        AgentConfig config = AgentConfig.builder()
                .name("demo")
                .environment(Environment.DEVELOPMENT)
                .database("main", d -> d.url(pg.jdbcUrl("civic")).user(pg.user()).password(Secret.of(pg.password()))
                        .maxTotal(8).minIdle(2).set("currentSchema", DomainSchema.DEFAULT_SCHEMA).migrateOnStart(true))
                .set("dbagent.health.intervalSeconds", 5)
                .set("dbagent.jmx.remote.enabled", true)
                .set("dbagent.jmx.remote.port", jmxPort)
                .set("dbagent.jmx.remote.auth", true)
                .set("dbagent.jmx.remote.passwordFile", creds.passwordFile.toString())
                .set("dbagent.jmx.remote.accessFile", creds.accessFile.toString())
                .set("dbagent.jolokia.enabled", true)
                .set("dbagent.jolokia.port", jolokiaPort)
                .set("dbagent.jolokia.auth", true)
                .set("dbagent.jolokia.policyFile", policy.toString())
                .build();

        DatabaseAgent agent;
        try {
            // the reference domain, wired as any application wires its own schema
            agent = DatabaseAgent.builder(config)
                    .catalogue("main", Catalogue.of(DomainSchema.MASTER_CHANGELOG)
                            .withReferenceContexts(DomainSchema.REFERENCE_CONTEXT)
                            .withDaos(DomainSchema.daoClasses()))
                    .start();
        } catch (RuntimeException e) {
            pg.close();
            throw e;
        }
        agent.operations().as("demo").init();
        Workload workload = Workload.start(agent.service("main"));

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\ndbagent demo: stopping");
            workload.close();
            agent.close();
            pg.close();
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException e) {
                System.err.println("dbagent demo: could not remove " + pidFile + ": " + e.getMessage());
            }
            stopped.countDown();
        }, "dbagent-demo-shutdown"));

        PrintStream out = System.out;
        String jmxUrl = agent.jmxServiceUrl().map(Object::toString).orElse("(remote JMX off)");
        String jolokiaUrl = agent.jolokiaUrl().map(Object::toString).orElse("(Jolokia off)");
        out.println();
        out.println("dbagent demo is running: agent 'demo', PostgreSQL " + pg.jdbcUrl("civic"));
        out.println("  JConsole / VisualVM : " + jmxUrl);
        out.println("                        user operator, password in " + creds.credentialsFile);
        out.println("  dbctl (jmxterm)     : DBCTL_CREDENTIALS_FILE=" + creds.credentialsFile
                + " scripts/dbctl --port " + jmxPort + " health");
        out.println("  dbctl (Jolokia)     : DBCTL_CREDENTIALS_FILE=" + creds.credentialsFile
                + " scripts/dbctl --via jolokia --port " + jolokiaPort + " pools");
        out.println("  curl                : curl -s --netrc-file " + creds.netrcFile + " "
                + jolokiaUrl + "read/dev.dbagent:type=Health,agent=demo/Status");
        out.println("Press Ctrl-C to stop.");
        out.println("DBAGENT_DEMO_READY");
        out.flush();
        stopped.await();
    }

    static final String LOCK_FILE = "demo.lock";
    static final String PID_FILE = "demo.pid";

    /** Held for the life of the JVM; the operating system releases it when the process ends. */
    private static FileLock demoLock;

    /** @return the held lock on the home's lock file, or null if another process holds it */
    private static FileLock lock(Path home) throws IOException {
        Files.createDirectories(home);
        FileChannel channel = FileChannel.open(home.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
        }
        // held (with its channel) until the JVM exits, which releases it
        return lock;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** The demo's users: {@code operator} (read-write) and {@code monitor} (read-only), fresh passwords each run. */
    static final class Credentials {
        final Path passwordFile;
        final Path accessFile;
        final Path credentialsFile;
        final Path netrcFile;

        private Credentials(Path passwordFile, Path accessFile, Path credentialsFile, Path netrcFile) {
            this.passwordFile = passwordFile;
            this.accessFile = accessFile;
            this.credentialsFile = credentialsFile;
            this.netrcFile = netrcFile;
        }

        static Credentials write(Path home) throws IOException {
            Files.createDirectories(home);
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
            String operator = random();
            String monitor = random();
            Path password = privateFile(home.resolve("jmxremote.password"),
                    "operator " + operator + "\nmonitor " + monitor + "\n");
            Path access = privateFile(home.resolve("jmxremote.access"), "operator readwrite\nmonitor readonly\n");
            Path credentials = privateFile(home.resolve("operator.credentials"),
                    "user=operator\npassword=" + operator + "\n");
            privateFile(home.resolve("monitor.credentials"), "user=monitor\npassword=" + monitor + "\n");
            // for curl --netrc-file: the password stays off every command line
            Path netrc = privateFile(home.resolve("operator.netrc"),
                    "machine 127.0.0.1 login operator password " + operator + "\n"
                            + "machine localhost login operator password " + operator + "\n");
            privateFile(home.resolve("monitor.netrc"), "machine 127.0.0.1 login monitor password " + monitor + "\n"
                    + "machine localhost login monitor password " + monitor + "\n");
            return new Credentials(password, access, credentials, netrc);
        }

        private static Path privateFile(Path p, String content) throws IOException {
            Files.deleteIfExists(p);
            Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(p, content, StandardCharsets.UTF_8);
            return p;
        }

        private static String random() {
            byte[] b = new byte[15];
            new SecureRandom().nextBytes(b);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        }
    }
}
