package dev.dbagent.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dbagent.schema.foundation.Bill;
import dev.dbagent.schema.foundation.BillDao;
import dev.dbagent.schema.foundation.Citizen;
import dev.dbagent.schema.foundation.CitizenDao;
import dev.dbagent.schema.foundation.Jurisdiction;
import dev.dbagent.schema.foundation.JurisdictionDao;
import dev.dbagent.schema.foundation.JurisdictionLevel;
import dev.dbagent.schema.foundation.Official;
import dev.dbagent.schema.foundation.OfficialDao;
import dev.dbagent.testing.TestDatabase;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.postgresql.util.PSQLException;

/**
 * Test fixture over a migrated {@code civic} schema: on-demand DAOs, unique sample rows, and an
 * assertion for statements the database must refuse.
 */
final class Civic {
    private static final AtomicInteger SEQ = new AtomicInteger();

    final Jdbi jdbi;

    private Civic(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Migrates {@link DomainSchema#DEFAULT_SCHEMA} in {@code db} and returns a fixture on it. */
    static Civic migrated(TestDatabase db) {
        CivicSchema.migrate(db, DomainSchema.DEFAULT_SCHEMA);
        return new Civic(CivicSchema.jdbi(db, DomainSchema.DEFAULT_SCHEMA));
    }

    <T> T dao(Class<T> type) {
        return jdbi.onDemand(type);
    }

    static int next() {
        return SEQ.incrementAndGet();
    }

    Jurisdiction jurisdiction() {
        return dao(JurisdictionDao.class).create("j-" + next(), "Jurisdiction", JurisdictionLevel.STATE, null);
    }

    Citizen citizen() {
        int n = next();
        return dao(CitizenDao.class).create("citizen" + n + "@example.org", "Citizen " + n, null);
    }

    Official official(long jurisdictionId) {
        return dao(OfficialDao.class).create("Official " + next(), "Senator", "Independent", jurisdictionId,
                LocalDate.of(2023, 1, 3), null);
    }

    Bill bill() {
        return bill("A bill", "");
    }

    Bill bill(String title, String summary) {
        return dao(BillDao.class).create(jurisdiction().id(), "HB " + next(), title, summary, null);
    }

    /** Runs one SQL statement in its own transaction. */
    void execute(String sql) {
        jdbi.useHandle(h -> h.execute(sql));
    }

    /**
     * Asserts that the database refuses {@code call} with {@code sqlState}, and that PostgreSQL's
     * message contains {@code message}.
     */
    static void assertRefused(ThrowingCallable call, String sqlState, String message) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("expected the database to refuse the statement").isInstanceOf(JdbiException.class);
        PSQLException cause = psql(thrown);
        assertThat((Object) cause).as("PSQLException in the cause chain of %s", thrown).isNotNull();
        assertThat(cause.getSQLState()).as("SQLSTATE of: %s", cause.getMessage()).isEqualTo(sqlState);
        assertThat(cause.getServerErrorMessage().getMessage()).contains(message);
    }

    private static PSQLException psql(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PSQLException p) {
                return p;
            }
            if (c instanceof SQLException s && s.getNextException() instanceof PSQLException p) {
                return p;
            }
        }
        return null;
    }
}
