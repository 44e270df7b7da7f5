package dev.dbagent.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.testing.MutableClock;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Borrowed connections without DBCP2's statement wrappers (no abandoned tracking configured, as
 * in staging and production) keep what DBCP2 guaranteed: statements left open are closed on
 * return, a returned connection cannot be used, its state is reset, a dead one is discarded.
 */
@ExtendWith(PostgresExtension.class)
class LeaseTest {
    private ConnectionManager manager;
    private ManagedPool pool;

    @BeforeEach
    void start(TestDatabase db) {
        TestDb cfg = new TestDb(db.jdbcUrl(), db.user(), db.password());
        cfg.maxTotal = 1;
        manager = new ConnectionManager(List.of(cfg.build()), new MutableClock(), "lease");
        pool = manager.router("main").primary();
    }

    @AfterEach
    void stop() {
        manager.close();
    }

    @Test
    void statementsLeftOpenAreClosedWhenTheConnectionGoesBack() throws SQLException {
        List<Statement> left = new ArrayList<>();
        try (Connection c = pool.acquire()) {
            // more than the lease's first array holds, half of them closed on the way
            for (int i = 0; i < 12; i++) {
                PreparedStatement ps = c.prepareStatement("SELECT " + i);
                ResultSet rs = ps.executeQuery();
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(i);
                if (i % 2 == 0) {
                    ps.close();
                } else {
                    left.add(ps);
                }
            }
            left.add(c.createStatement());
            assertThat(left).noneMatch(LeaseTest::closed);
        }
        assertThat(left).hasSize(7).allMatch(LeaseTest::closed);
        assertThat(pool.active()).isZero();
        assertThat(pool.idle()).isEqualTo(1);
    }

    @Test
    void aReturnedConnectionRefusesUseAndTheNextBorrowerGetsAResetSession() throws SQLException {
        Connection first = pool.acquire();
        first.setReadOnly(true);
        first.setAutoCommit(false);
        try (Statement s = first.createStatement()) {
            s.execute("SELECT 1");
        }
        first.close();
        first.close(); // idempotent, as JDBC requires

        assertThat(first.isClosed()).isTrue();
        assertThatThrownBy(first::createStatement).isInstanceOf(SQLException.class)
                .hasMessageContaining("is closed").extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08003");
        assertThatThrownBy(() -> first.prepareStatement("SELECT 1")).isInstanceOf(SQLException.class);
        assertThatThrownBy(first::commit).isInstanceOf(SQLException.class);

        try (Connection second = pool.acquire(); Statement s = second.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_xact_id_if_assigned() IS NULL")) {
            assertThat(second.getAutoCommit()).isTrue(); // DBCP2's autoCommitOnReturn still ran
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).isTrue(); // the first borrower's transaction was rolled back
        }
        assertThat(pool.borrowedCount()).isEqualTo(2);
        assertThat(pool.createdCount()).isEqualTo(1);
    }

    @Test
    void borrowersAreListedWhileBorrowedAndForgottenOnReturn() throws SQLException {
        try (Connection c = pool.acquire()) {
            assertThat(pool.borrowers()).singleElement().satisfies(b -> {
                assertThat(b.thread()).isEqualTo(Thread.currentThread().getName());
                assertThat(b.stack()).contains("LeaseTest");
            });
        }
        assertThat(pool.borrowers()).isEmpty();
    }

    @Test
    void aConnectionWhoseBackendWasTerminatedIsDiscardedOnReturn(TestDatabase db) throws Exception {
        int pid;
        try (Connection c = pool.acquire(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            pid = rs.getInt(1);
        }
        try (Connection admin = db.dataSource().getConnection(); Statement s = admin.createStatement()) {
            s.execute("SELECT pg_terminate_backend(" + pid + ")");
        }
        try (Connection c = pool.acquire(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("SELECT 1")).isInstanceOf(SQLException.class);
        }
        assertThat(pool.destroyedCount()).isEqualTo(1);
        try (Connection c = pool.acquire(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 2")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }

    private static boolean closed(Statement s) {
        try {
            return s.isClosed();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
