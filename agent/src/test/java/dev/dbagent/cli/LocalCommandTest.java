package dev.dbagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local command end to end: a fresh JVM on the test classpath (where the changelogs are
 * resources, as they are on an application's classpath) against real PostgreSQL.
 */
@ExtendWith(PostgresExtension.class)
class LocalCommandTest {
    private static final String SIMPLE = "dev/dbagent/ops/simple/master.xml";
    private static final String BROKEN = "dev/dbagent/ops/broken.xml";
    private static final String ORDERS = "dev/dbagent/embedding/orders.xml";
    private static final String USER = System.getProperty("user.name");
    private static final Path DBCTL = Path.of("..", "scripts", "dbctl").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    /** What the command printed and how it exited. */
    record Run(int exit, String out, String err) {}

    private Run dbagent(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Dbagent.class.getName()));
        command.addAll(List.of(args));
        return run(new ProcessBuilder(command));
    }

    private Run dbctl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(DBCTL.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        // dbctl finds java on the PATH: the one running this test
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        pb.environment().put("DBCTL_CLASSPATH", System.getProperty("java.class.path"));
        return run(pb);
    }

    private static Run run(ProcessBuilder pb) throws Exception {
        // the command reads DBAGENT_* variables like the application; the test's own must not leak in
        pb.environment().keySet().removeIf(k -> k.startsWith("DBAGENT_"));
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("the command ends").isTrue();
        return new Run(p.exitValue(), out.get(), err.get());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A config file as an application ships it; the password in a file of its own, never on a command line. */
    private Path config(String name, String environment, String url, String password, String schema, String changelog,
            String... more) throws IOException {
        Path secret = dir.resolve(name + ".password");
        Files.writeString(secret, password);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        StringBuilder p = new StringBuilder()
                .append("dbagent.name=cli\n")
                .append("dbagent.environment=").append(environment).append('\n')
                .append("dbagent.db.main.url=").append(url).append('\n')
                .append("dbagent.db.main.user=").append(db.user()).append('\n')
                .append("dbagent.db.main.password=file:").append(secret).append('\n')
                .append("dbagent.db.main.currentSchema=").append(schema).append('\n')
                .append("dbagent.db.main.sslmode=disable\n")
                .append("dbagent.db.main.migrate.changelog=").append(changelog).append('\n')
                // a running application would also serve these; the command must leave them off
                .append("dbagent.jmx.remote.enabled=true\ndbagent.jmx.remote.auth=false\ndbagent.jmx.remote.port=1\n");
        for (String line : more) {
            p.append(line).append('\n');
        }
        return Files.writeString(dir.resolve(name + ".properties"), p.toString());
    }

    private TestDatabase db;

    private List<String> audit(String schemaLike) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT caller, operation, success, outcome FROM dbagent.audit_log"
                     + " ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getBoolean(3) + " " + rs.getString(4));
            }
        }
        return rows;
    }

    private boolean tableExists(String schema, String table) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('" + schema + "." + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @Test
    void migrateAppliesTheChangelogPrintsTheResultAndIsAuditedAsTheLocalUser(TestDatabase db) throws Exception {
        this.db = db;
        Path conf = config("ok", "test", db.jdbcUrl(), db.password(), "cli_ok", SIMPLE);

        Run migrate = dbagent("--config", conf.toString(), "migrate");
        assertThat(migrate.exit()).as(migrate.err()).isEqualTo(Dbagent.OK);
        assertThat(migrate.out()).startsWith("operation = migrate\nsuccess = true\nsummary = ")
                .contains("\nsteps:\n", "\ntext:\nmigrate: OK - ");
        assertThat(migrate.err()).doesNotContain(db.password());
        assertThat(tableExists("cli_ok", "person")).isTrue();

        Run status = dbagent("--config", conf.toString(), "--db", "main", "status");
        assertThat(status.exit()).as(status.err()).isEqualTo(Dbagent.OK);
        assertThat(status.out()).startsWith("operation = status\nsuccess = true\n");

        assertThat(audit("cli_ok")).anySatisfy(row -> assertThat(row).startsWith("local:" + USER + " migrate true"))
                .anySatisfy(row -> assertThat(row).startsWith("local:" + USER + " status true"));
    }

    @Test
    void resetIsRefusedInProductionAndChangesNothing(TestDatabase db) throws Exception {
        this.db = db;
        Path test = config("prep", "test", db.jdbcUrl(), db.password(), "cli_prod", SIMPLE);
        assertThat(dbagent("--config", test.toString(), "migrate").exit()).isEqualTo(Dbagent.OK);
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO cli_prod.person (id, name) VALUES (4711, 'keep me')");
        }
        Path production = config("prod", "production", db.jdbcUrl(), db.password(), "cli_prod", SIMPLE,
                "dbagent.jmx.remote.enabled=false");

        Run reset = dbagent("--config", production.toString(), "reset");
        assertThat(reset.exit()).as(reset.out() + reset.err()).isEqualTo(Dbagent.REFUSED);
        assertThat(reset.err()).contains("dbagent: reset is refused in production");
        assertThat(reset.out()).isEmpty();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM cli_prod.person WHERE id = 4711")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("keep me");
        }
        assertThat(audit("cli_prod")).last().asString()
                .startsWith("local:" + USER + " prepare-reset false refused: reset is refused in production");
    }

    @Test
    void rollbackUndoesTheLastChangesetsPrintingProgressAndIsRefusedInProduction(TestDatabase db) throws Exception {
        this.db = db;
        Path conf = config("rb", "test", db.jdbcUrl(), db.password(), "cli_rb", ORDERS);
        Run migrate = dbagent("--config", conf.toString(), "migrate");
        assertThat(migrate.exit()).as(migrate.err()).isEqualTo(Dbagent.OK);
        // progress comes as it happens, on standard error, as dbctl prints it
        assertThat(migrate.err()).contains("progress: migrate: ", "1-customers (shop)", "4-currency-data (shop)");
        assertThat(migrate.out()).doesNotContain("progress:");
        assertThat(tableExists("cli_rb", "currencies")).isTrue();

        Run rollback = dbagent("--config", conf.toString(), "rollback", "2");
        assertThat(rollback.exit()).as(rollback.out() + rollback.err()).isEqualTo(Dbagent.OK);
        assertThat(rollback.out()).startsWith("operation = rollback\nsuccess = true\n");
        assertThat(tableExists("cli_rb", "currencies")).isFalse();
        assertThat(tableExists("cli_rb", "orders")).isTrue();

        Path production = config("rb-prod", "production", db.jdbcUrl(), db.password(), "cli_rb", ORDERS,
                "dbagent.jmx.remote.enabled=false");
        Run refused = dbagent("--config", production.toString(), "rollback", "1");
        assertThat(refused.exit()).as(refused.out() + refused.err()).isEqualTo(Dbagent.REFUSED);
        assertThat(refused.err()).contains("rollback is refused in production");
        assertThat(tableExists("cli_rb", "orders")).isTrue();

        Run bad = dbagent("--config", conf.toString(), "rollback", "--tag");
        assertThat(bad.exit()).isEqualTo(Dbagent.USAGE);
        assertThat(bad.err()).startsWith("dbagent: rollback takes a count (rollback 2) or a tag (rollback --tag v1.4)");
    }

    @Test
    void aFailingChangelogExitsFailedNamingTheChangeset(TestDatabase db) throws Exception {
        this.db = db;
        Path conf = config("broken", "test", db.jdbcUrl(), db.password(), "cli_broken", BROKEN);
        Run migrate = dbagent("--config", conf.toString(), "migrate");
        assertThat(migrate.exit()).as(migrate.err()).isEqualTo(Dbagent.FAILED);
        assertThat(migrate.out()).startsWith("operation = migrate\nsuccess = false\nsummary = ")
                .contains("b2-broken-index");
        assertThat(tableExists("cli_broken", "widget")).isTrue();
        assertThat(tableExists("cli_broken", "gadget")).isFalse();
    }

    @Test
    void anUnreachableServerExitsUnreachable(TestDatabase db) throws Exception {
        this.db = db;
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path conf = config("gone", "test", "jdbc:postgresql://127.0.0.1:" + closedPort + "/nowhere", "pw", "cli_gone",
                SIMPLE);
        Run migrate = dbagent("--config", conf.toString(), "migrate");
        assertThat(migrate.exit()).as(migrate.out() + migrate.err()).isEqualTo(Dbagent.UNREACHABLE);
        assertThat(migrate.err()).contains("dbagent: database 'main' cannot be reached: ")
                .contains("127.0.0.1:" + closedPort).doesNotContain("password");
        assertThat(migrate.out()).isEmpty();
    }

    @Test
    void dbctlLocalRunsTheCommandAndPassesItsExitCodeThrough(TestDatabase db) throws Exception {
        this.db = db;
        Path conf = config("dbctl", "test", db.jdbcUrl(), db.password(), "cli_dbctl", SIMPLE);
        Run migrate = dbctl("--local", "--config", conf.toString(), "--db", "main", "migrate");
        assertThat(migrate.exit()).as(migrate.err()).isEqualTo(Dbagent.OK);
        assertThat(migrate.out()).startsWith("operation = migrate\nsuccess = true\n");
        assertThat(tableExists("cli_dbctl", "person")).isTrue();

        Path production = config("dbctl-prod", "production", db.jdbcUrl(), db.password(), "cli_dbctl", SIMPLE,
                "dbagent.jmx.remote.enabled=false");
        Run reset = dbctl("--local", "--config", production.toString(), "reset");
        assertThat(reset.exit()).isEqualTo(Dbagent.REFUSED);
        assertThat(reset.err()).contains("reset is refused in production");
        assertThat(tableExists("cli_dbctl", "person")).isTrue();

        Run noConfig = dbctl("--local", "migrate");
        assertThat(noConfig.exit()).isEqualTo(Dbagent.USAGE);
        assertThat(noConfig.err()).isEqualTo("dbctl: --local needs --config FILE\n");
    }

    @Test
    void badArgumentsAndBadConfigurationsAreUsageErrors(TestDatabase db) throws Exception {
        this.db = db;
        Run none = dbagent("migrate");
        assertThat(none.exit()).isEqualTo(Dbagent.USAGE);
        assertThat(none.err()).startsWith("dbagent: --config FILE is required\nUsage: ");

        Path conf = config("usage", "test", db.jdbcUrl(), db.password(), "cli_usage", SIMPLE,
                "dbagent.db.main.pool.maxTotl=5");
        Run unknown = dbagent("--config", conf.toString(), "rollback-everything");
        assertThat(unknown.exit()).isEqualTo(Dbagent.USAGE);
        assertThat(unknown.err()).startsWith("dbagent: unknown command 'rollback-everything'");
        Run extra = dbagent("--config", conf.toString(), "migrate", "--force");
        assertThat(extra.exit()).isEqualTo(Dbagent.USAGE);
        assertThat(extra.err()).startsWith("dbagent: migrate takes no arguments, not '--force'");

        Run invalid = dbagent("--config", conf.toString(), "migrate");
        assertThat(invalid.exit()).isEqualTo(Dbagent.USAGE);
        assertThat(invalid.err()).contains("dbagent.db.main.pool.maxTotl").doesNotContain(db.password());
        assertThat(tableExists("cli_usage", "person")).isFalse();

        Run help = dbagent("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("  migrate ", "  release-lock [--force] ", "Exit codes: 0 success;");
    }
}
