package dev.dbagent.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.BreakerOpenException;
import dev.dbagent.PoolExhaustedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/** What counts toward breakers and retries: the driver's and the pool's failures, nothing else. */
class FailuresTest {

    @Test
    void driverConnectionFailuresCountAlsoWhenJdbiWrapsThem() {
        PSQLException lost = new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE, new SocketTimeoutException("Read timed out"));
        assertThat(Failures.isInfrastructure(lost)).isTrue();
        assertThat(Failures.isInfrastructure(new UnableToExecuteStatementException(lost, null))).isTrue();
        assertThat(Failures.isInfrastructure(new ConnectionException(
                new PSQLException("Connection refused", PSQLState.CONNECTION_UNABLE_TO_CONNECT)))).isTrue();
        for (String state : new String[] {"57P01", "57P02", "57P03", "53300", "58030", "08003"}) {
            assertThat(Failures.isInfrastructure(new SQLException("x", state))).as(state).isTrue();
        }
    }

    @Test
    void aReadOnlyTransactionRefusalIsRecognisedThroughJdbiButIsNoInfrastructureFailure() {
        SQLException refused = new SQLException("ERROR: cannot execute INSERT in a read-only transaction", "25006");
        UnableToExecuteStatementException wrapped = new UnableToExecuteStatementException(refused, null);
        assertThat(Failures.isReadOnlyTransaction(wrapped)).isTrue();
        assertThat(Failures.isInfrastructure(wrapped)).as("breakers do not count it").isFalse();
        assertThat(Failures.isReadOnlyTransaction(new SQLException("x", "25001"))).isFalse();
        assertThat(Failures.isReadOnlyTransaction(new SQLException("no state"))).isFalse();
        assertThat(Failures.isReadOnlyTransaction(null)).isFalse();
    }

    @Test
    void applicationIoAndTimeoutFailuresDoNotCount() {
        assertThat(Failures.isInfrastructure(new UncheckedIOException(new IOException("disk full")))).isFalse();
        assertThat(Failures.isInfrastructure(new IOException("remote API down"))).isFalse();
        assertThat(Failures.isInfrastructure(new RuntimeException(new TimeoutException("HTTP call timed out"))))
                .isFalse();
        assertThat(Failures.isInfrastructure(new IllegalStateException("bug"))).isFalse();
    }

    @Test
    void sqlErrorsOfTheStatementDoNotCount() {
        for (String state : new String[] {"23505", "42601", "40001", "40P01", "57014", "22012"}) {
            assertThat(Failures.isInfrastructure(new UnableToExecuteStatementException(
                    new SQLException("x", state), null))).as(state).isFalse();
        }
    }

    @Test
    void exhaustionAndRejectionsNeverCount() {
        PoolExhaustedException exhausted = new PoolExhaustedException("main", "primary", 100, 4, 4, 0, 46,
                new SQLException("Cannot get a connection", null, new NoSuchElementException("Timeout waiting")));
        assertThat(Failures.isInfrastructure(exhausted)).isFalse();
        assertThat(Failures.isInfrastructure(new BreakerOpenException("main", "pool", "primary", "OPEN"))).isFalse();
    }

    @Test
    void aRejectionNeverReportsAStateThatAdmitsCalls() {
        assertThat(Breakers.rejectingState(CircuitBreaker.State.OPEN)).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(Breakers.rejectingState(CircuitBreaker.State.FORCED_OPEN))
                .isEqualTo(CircuitBreaker.State.FORCED_OPEN);
        assertThat(Breakers.rejectingState(CircuitBreaker.State.HALF_OPEN)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(Breakers.rejectingState(CircuitBreaker.State.CLOSED)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    }

    @Test
    void maskedCopyHidesAQuotedUrlAndPasswordButKeepsTheSqlState() {
        String url = "jdbc:postgresql://db:99999/app?password=s3cret";
        SQLException dbcp = new SQLException("Cannot create JDBC driver of class 'org.postgresql.Driver' for connect URL '"
                + url + "'", null, new SQLException("auth for s3cret failed", "08001"));
        Throwable masked = Failures.masked(dbcp, url, "s3cret");
        StringBuilder all = new StringBuilder();
        for (Throwable c = masked; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        assertThat(all.toString()).doesNotContain("s3cret").contains("password=****");
        assertThat(Failures.sqlState(masked)).isEqualTo("08001");
        assertThat(Failures.isInfrastructure(masked)).isTrue();
        SQLException harmless = new SQLException("Connection refused", "08001");
        assertThat(Failures.masked(harmless, url, "s3cret")).isSameAs(harmless);
    }
}
