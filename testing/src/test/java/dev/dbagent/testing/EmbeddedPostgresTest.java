package dev.dbagent.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class EmbeddedPostgresTest {

    @Test
    void startsServesRestartsAndCleansUpAfterItself() throws Exception {
        Path run;
        long postmaster;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            run = pg.dataDirectory().getParent();
            postmaster = postmasterPid(pg.dataDirectory());
            assertThat(ProcessHandle.of(postmaster)).isPresent();
            if (Runs.isRoot()) {
                assertThat(ProcessHandle.of(postmaster).flatMap(h -> h.info().user())).contains("nobody");
            }
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (v int)");
                s.execute("INSERT INTO kept VALUES (42)");
                assertThat(query(s, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
                assertThat(query(s, "SELECT current_setting('server_version_num')::int >= 150000")).isEqualTo("t");
            }
            pg.stop();
            assertThat(pg.isRunning()).isFalse();
            assertThatThrownBy(() -> pg.connect("postgres")).isInstanceOf(SQLException.class);
            pg.start();
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                assertThat(query(s, "SELECT v FROM kept")).isEqualTo("42");
            }
        }
        assertThat(run).doesNotExist();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(postmaster).isEmpty());
    }

    @Test
    void wrongPasswordIsRefused() {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().password("s3cret-pw").start()) {
            assertThatThrownBy(() -> java.sql.DriverManager.getConnection(pg.jdbcUrl("postgres"), "postgres", "nope"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed");
            assertThat(pg.toString()).doesNotContain("s3cret-pw");
        }
    }

    @Test
    void replicaStreamsThePrimarysWrites() throws Exception {
        try (EmbeddedPostgres primary = EmbeddedPostgres.builder().start();
             EmbeddedPostgres replica = primary.startReplica("replica1")) {
            try (Connection c = primary.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (v int)");
                s.execute("INSERT INTO t VALUES (7)");
            }
            try (Connection c = replica.connect("postgres"); Statement s = c.createStatement()) {
                assertThat(query(s, "SELECT pg_is_in_recovery()")).isEqualTo("t");
                Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(queryOrNull(s, "SELECT v FROM t")).isEqualTo("7"));
                assertThatThrownBy(() -> s.execute("INSERT INTO t VALUES (8)"))
                        .hasMessageContaining("read-only transaction");
            }
            try (Connection c = primary.connect("postgres"); Statement s = c.createStatement()) {
                assertThat(query(s, "SELECT application_name FROM pg_stat_replication")).isEqualTo("replica1");
            }
        }
    }

    @Test
    void interruptedJvmLeavesNoServerBehind() throws Exception {
        Process child = startChild();
        Path data = awaitDataDirectory(child);
        long postmaster = postmasterPid(data);
        child.destroy(); // SIGTERM: the shutdown hook must stop the server
        assertThat(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(postmaster).isEmpty());
        assertThat(data.getParent()).doesNotExist();
    }

    @Test
    void serverOfAKilledJvmIsReapedByTheNextStart() throws Exception {
        Process child = startChild();
        Path data = awaitDataDirectory(child);
        long postmaster = postmasterPid(data);
        child.destroyForcibly(); // SIGKILL: no hook runs, the server survives its JVM
        child.waitFor();
        assertThat(ProcessHandle.of(postmaster)).isPresent();
        try (EmbeddedPostgres ignored = EmbeddedPostgres.builder().start()) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(postmaster).isEmpty());
            assertThat(data.getParent()).doesNotExist();
        }
    }

    private static Process startChild() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                ServerChild.class.getName())).redirectErrorStream(true).start();
    }

    private static Path awaitDataDirectory(Process child) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith("DATA ")) {
                Thread drain = new Thread(() -> {
                    try {
                        r.transferTo(java.io.Writer.nullWriter());
                    } catch (java.io.IOException ignored) {
                        // child ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return Path.of(line.substring(5));
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("child JVM ended without starting a server:\n" + seen);
    }

    @Test
    void durableServerSurvivesKillNineWithEveryAcknowledgedCommit() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().durable(true).start()) {
            assertThat(pg.isDurable()).isTrue();
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                assertThat(query(s, "SELECT current_setting('fsync') || current_setting('synchronous_commit') "
                        + "|| current_setting('full_page_writes')")).isEqualTo("ononon");
                s.execute("CREATE TABLE acked (v int)");
                for (int i = 1; i <= 200; i++) {
                    s.execute("INSERT INTO acked VALUES (" + i + ")"); // autocommit: each one acknowledged
                }
            }
            long before = postmasterPid(pg.dataDirectory());
            Connection open = pg.connect("postgres"); // a backend that outlives its postmaster for a moment

            pg.kill();

            assertThat(ProcessHandle.of(before)).isEmpty();
            assertThat(pg.isRunning()).isFalse();
            assertThatThrownBy(() -> pg.connect("postgres")).isInstanceOf(SQLException.class);
            pg.stop(); // nothing to stop: must not throw
            pg.start();
            assertThat(pg.isRunning()).isTrue();
            assertThat(postmasterPid(pg.dataDirectory())).isNotEqualTo(before);
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                assertThat(query(s, "SELECT count(*) || '/' || sum(v) FROM acked")).isEqualTo("200/20100");
            }
            assertThatThrownBy(() -> open.createStatement().execute("SELECT 1")).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void serverKilledFromOutsideIsReportedStoppedAndStartsAgain() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (v int)");
                s.execute("CHECKPOINT"); // not durable: make the table itself survive the crash
            }
            ProcessHandle pm = ProcessHandle.of(postmasterPid(pg.dataDirectory())).orElseThrow();
            pm.destroyForcibly(); // kill -9 by someone else; the backends are left to exit on their own
            pm.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(pg.isRunning()).isFalse();
            pg.stop();
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                pg.start();
                return pg.isRunning();
            });
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                assertThat(query(s, "SELECT count(*) FROM t")).isEqualTo("0");
            }
        }
    }

    private static long postmasterPid(Path data) throws Exception {
        return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    }

    private static String query(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String queryOrNull(Statement s, String sql) {
        try {
            return query(s, sql);
        } catch (SQLException e) {
            return null;
        }
    }

}
